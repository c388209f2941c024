package io.batpak.it.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.longThat;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Projection;
import io.batpak.ProjectionResult;
import io.batpak.Store;
import io.batpak.engine.internal.projection.ProjectionCache;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.InOrder;

/**
 * Routing proof of the projection cache publish ({@code projections/<hash>.pcache}): a Mockito spy
 * on the real backend shows the entry written the one authority-file way (remove a leftover
 * temporary file, create it, write the body, then the header, close it, {@code publish(tmp, target,
 * ALL)}), and faults on the simulator on each step show that a failed write is counted and logged,
 * never thrown, and leaves the previous entry readable.
 */
class ProjectionCachePublishRoutingIT {
  private static final Projection<Long> COUNT =
      Projection.of("count", 1, Set.of(), 0L, Long.class, (n, e) -> n + 1);

  @TempDir Path tmp;

  @Test
  void theSpySeesTheEntryWrittenClosedThenPublished() throws IOException {
    Path dir = tmp.resolve("store");
    try (StoreFs posix = CheckpointPublishRoutingIT.posix()) {
      StoreFsSpy spy = StoreFsSpy.around(posix);
      try (Store s =
          Store.open(
              CheckpointPublishRoutingIT.spyConfig(dir, spy)
                  .projectionCache(true)
                  .projectionCacheEvery(1)
                  .build())) {
        ArtifactStores.appendSome(s, 30, "spy");
        assertEquals(10, s.project("order-0", COUNT).state());
        assertEquals(1, s.projectionCacheStats().writes());
      }
      Path target = ProjectionCache.file(dir, "count", "order-0");
      Path temp = target.resolveSibling(target.getFileName() + ".tmp");
      FileHandle h = spy.createdHandle(temp);
      InOrder order = inOrder(spy.fs, h);
      order.verify(spy.fs).createDirectories(dir.resolve("projections"));
      order.verify(spy.fs).syncDirectory(dir);
      order.verify(spy.fs).deleteIfExists(temp);
      order.verify(spy.fs).create(temp);
      order.verify(h, atLeastOnce()).write(any(), longThat(at -> at >= 28));
      order.verify(h).write(argThat(b -> b.hasArray() && b.array().length == 28), eq(0L));
      order.verify(h).close();
      order.verify(spy.fs).publish(temp, target, SyncMode.ALL);
      verify(h, never()).sync(any()); // publish syncs it
      verify(spy.fs, never()).rename(any(), eq(target), any());
      assertTrue(Files.exists(target));
      assertFalse(Files.exists(temp), "no temporary file stays behind");
    }
  }

  /** A step of the entry's publish and the fault armed on it. */
  enum Step {
    CREATE_TEMP(FsOp.CREATE, FaultAction.fail(io.batpak.fs.sim.ErrorKind.IO)),
    WRITE(FsOp.WRITE, FaultAction.fail(io.batpak.fs.sim.ErrorKind.IO)),
    SYNC_TEMP(FsOp.SYNC, FaultAction.failedSync()),
    RENAME(FsOp.RENAME, FaultAction.fail(io.batpak.fs.sim.ErrorKind.IO)),
    SYNC_DIRECTORY(FsOp.DIR_SYNC, FaultAction.fail(io.batpak.fs.sim.ErrorKind.IO));

    final FsOp op;
    final FaultAction action;

    Step(FsOp op, FaultAction action) {
      this.op = op;
      this.action = action;
    }
  }

  @ParameterizedTest
  @EnumSource(Step.class)
  void aFailedWriteIsCountedAndThePreviousEntryStaysReadable(Step step) {
    SimStoreFs fs = new SimStoreFs(0x9E0L + step.ordinal());
    Path target = ProjectionCache.file(ArtifactStores.DIR, "count", "order-0");
    try (Store s =
        Store.open(
            ArtifactStores.simConfig(fs, 11)
                .projectionCache(true)
                .projectionCacheEvery(1)
                .build())) {
      ArtifactStores.appendSome(s, 30, "first");
      assertEquals(10, s.project("order-0", COUNT).state());
      s.append(Coordinate.of("order-0", "shop"), ArtifactStores.KIND, Bytes.utf8("more"));
      String glob = step == Step.SYNC_DIRECTORY ? target.getParent().toString() : target + "*";
      fs.addFault(FaultRule.on(step.op, glob, FaultTrigger.nth(1), step.action));
      ProjectionResult<Long> r = s.project("order-0", COUNT);
      assertEquals(11, r.state(), step + ": the caller gets its result");
      assertEquals(1, s.projectionCacheStats().writeFailures(), step + " " + fs.opLog());
      fs.clearFaults();
      // The previous entry (or the new one, if the rename happened) is read, never a torn one.
      ProjectionResult<Long> again = s.project("order-0", COUNT);
      assertEquals(11, again.state());
      assertTrue(again.fromCache(), step.toString());
      assertEquals(0, s.projectionCacheStats().damaged(), step.toString());
    }
  }
}
