/**
 * The pipeline test videos (crowd1080: 100 faces at 1080p, 10 enrolled; blink720: faces that come
 * and go, a new track each time), built once from the fixture faces by scripts/build-crowd-video.ts
 * into os.tmpdir()/argus-crowd-video (or ARGUS_CROWD_CACHE) and reused by later tests and runs.
 *
 *   const v = await ensureCrowdVideo('crowd1080');
 *   v.file          // H.264 mp4, 10 fps, a keyframe every second
 *   v.enrol         // [{ name, image, imageIsShownPicture }]: the 10 people to enrol
 *   v.others        // person ids of everybody else in the video (none of the 10)
 *   v.meta.appearances, boxAt(appearance, frame)   // ground truth: who is where, and when
 */
export {
  boxAt,
  type CrowdAppearance,
  type CrowdEnrolment,
  type CrowdKind,
  type CrowdMeta,
  type CrowdVideo,
  crowdCacheRoot,
  ensureCrowdVideo,
} from '../../scripts/build-crowd-video';
