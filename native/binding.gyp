{
  "targets": [
    {
      "target_name": "argus_fpu",
      "sources": ["fpu.c"],
      "cflags": ["-O2"]
    }
  ]
}
