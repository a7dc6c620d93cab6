{
  "targets": [
    {
      "target_name": "argus_fpu",
      "sources": ["fpu.c"],
      "cflags": ["-O2"]
    },
    {
      "target_name": "argus_image",
      "sources": ["image.c"],
      "cflags": ["-O3", "-fno-math-errno"]
    }
  ]
}
