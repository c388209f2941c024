package io.batpak.it.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Store;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No file of a store is written outside {@link StoreFs}: a spy on the real {@code posix} backend
 * models every file as the calls through the port shape it (created, opened for writing, written,
 * truncated, renamed or published, deleted, locked), a workload runs with rotations, periodic
 * checkpoints and two sessions, and afterwards every file in the directory on disk, and its size,
 * must be exactly what the model says. A file the store wrote with {@code java.nio} or any other
 * side door would be missing from the model or have another size.
 */
class StoreFilesAccountedIT {
  @TempDir Path tmp;

  @Test
  void everyFileOnDiskAndItsSizeIsAccountedForByCallsThroughStoreFs() throws IOException {
    Path dir = tmp.resolve("store");
    try (StoreFs posix = CheckpointPublishRoutingIT.posix()) {
      StoreFsSpy spy = StoreFsSpy.around(posix);
      try (Store s =
          Store.open(
              CheckpointPublishRoutingIT.spyConfig(dir, spy).checkpointEveryBytes(4096).build())) {
        ArtifactStores.appendSome(s, 90, "first");
      }
      assertEquals(ArtifactStores.sizesOnDisk(dir), spy.modelledFiles(dir), "after one session");
      try (Store s =
          Store.open(
              CheckpointPublishRoutingIT.spyConfig(dir, spy).checkpointEveryBytes(4096).build())) {
        ArtifactStores.appendSome(s, 40, "second");
      }
      Map<String, Long> onDisk = ArtifactStores.sizesOnDisk(dir);
      assertEquals(onDisk, spy.modelledFiles(dir), "after a second session");
      assertTrue(onDisk.containsKey(ArtifactStores.CHECKPOINT), onDisk.toString());
      assertTrue(onDisk.containsKey(ArtifactStores.LOCK), onDisk.toString());
      assertTrue(
          onDisk.keySet().stream().filter(n -> n.endsWith(".seg")).count() >= 4,
          "the workload rotated: " + onDisk);
    }
  }
}
