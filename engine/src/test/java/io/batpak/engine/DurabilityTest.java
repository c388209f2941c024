package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventNotFoundException;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.Watermarks;
import io.batpak.fs.spi.ForwardingFileHandle;
import io.batpak.fs.spi.ForwardingStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When events become visible and in which order the journal reaches the disk (decisions 1, 4). */
class DurabilityTest {
  static final Coordinate C = Coordinate.of("e", "s");

  @TempDir Path dir;

  @Test
  void aDurableEventIsInvisibleUntilItsFsyncReturns() throws Exception {
    try (FaultyFs fs = new FaultyFs();
        Store store = Store.open(StoreConfig.builder(dir).fs(fs).build())) {
      List<AppendReceipt> acked = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        acked.add(store.append(C, KIND, Bytes.utf8("e" + i)));
      }
      FaultyFs.Gate gate = fs.holdNextSync();
      CompletableFuture<AppendReceipt> f =
          store.submit(C, KIND, Bytes.utf8("pending"), AppendOptions.defaults());
      gate.awaitEntered();
      // Written, not yet synced: no reader may see it.
      Watermarks w = store.watermarks();
      assertEquals(4, w.accepted());
      assertEquals(4, w.written());
      assertEquals(3, w.durable());
      assertEquals(3, w.visible());
      assertEquals(3, StoreFixtures.query(store, Region.all()).size());
      assertEquals(3, store.stream("e").size());
      assertEquals(acked.get(2).eventId(), store.latest("e").orElseThrow().eventId());
      assertEquals(3, store.stats().eventCount());
      assertFalse(f.isDone());
      gate.open();
      AppendReceipt r = f.get(30, TimeUnit.SECONDS);
      assertEquals(4, StoreFixtures.query(store, Region.all()).size());
      assertEquals("pending", store.get(r.eventId()).payload().toUtf8());
      assertEquals(4, store.watermarks().durable());
    }
  }

  @Test
  void aVisibleModeEventIsReadableBeforeAnyFsync() throws Exception {
    try (RecordingFs fs = new RecordingFs();
        Store store =
            Store.open(
                StoreConfig.builder(dir).fs(fs).visible(1 << 30, Duration.ofHours(1)).build())) {
      int before = fs.ops.size();
      AppendReceipt r = store.append(C, KIND, Bytes.utf8("visible"));
      List<String> ops = new ArrayList<>(fs.ops.subList(before, fs.ops.size()));
      assertEquals(List.of("write 0000000001.seg"), ops, "written, not synced, on return");
      assertEquals("visible", store.get(r.eventId()).payload().toUtf8());
      assertEquals(0, store.watermarks().durable());
      assertEquals(1, store.watermarks().visible());
      store.sync();
      assertEquals("sync 0000000001.seg", fs.ops.get(fs.ops.size() - 1));
      assertEquals(1, store.watermarks().durable());
    }
  }

  @Test
  void unknownIdsAreNotFound() {
    try (Store store = StoreFixtures.open(dir)) {
      store.append(C, KIND, Bytes.utf8("x"));
      assertThrows(EventNotFoundException.class, () -> store.get(io.batpak.EventId.of(3, 4)));
      assertThrows(
          EventNotFoundException.class, () -> store.get(io.batpak.EventId.of(3, 4)).payload());
      assertTrue(store.stream("nobody").isEmpty());
      assertTrue(store.latest("nobody").isEmpty());
    }
  }

  /** Records segment file operations in order. */
  static final class RecordingFs extends ForwardingStoreFs {
    final List<String> ops = Collections.synchronizedList(new ArrayList<>());

    RecordingFs() {
      super(StoreFixtures.posix());
    }

    @Override
    public FileHandle create(Path file) throws IOException {
      ops.add("create " + file.getFileName());
      return super.create(file);
    }

    @Override
    public void syncDirectory(Path d) throws IOException {
      ops.add("syncDirectory");
      super.syncDirectory(d);
    }

    @Override
    protected FileHandle onHandle(FileHandle handle) {
      String name = handle.path().getFileName().toString();
      return new ForwardingFileHandle(handle) {
        @Override
        public void sync(SyncMode mode) throws IOException {
          ops.add("sync " + name);
          super.sync(mode);
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
          ops.add("write " + name);
          super.write(src, position);
        }
      };
    }
  }

  @Test
  void rotationSyncsTheOldSegmentBeforeTheNewOneIsDurable() throws Exception {
    try (RecordingFs fs = new RecordingFs();
        Store store = Store.open(StoreConfig.builder(dir).fs(fs).segmentMaxBytes(4096).build())) {
      while (store.stats().segmentCount() < 3) {
        store.append(C, KIND, Bytes.ofOwned(new byte[700]));
      }
      List<String> ops = new ArrayList<>(fs.ops);
      for (int id = 2; id <= 3; id++) {
        String old = String.format("%010d.seg", id - 1);
        String seg = String.format("%010d.seg", id);
        int create = ops.indexOf("create " + seg);
        assertTrue(create > 0, ops.toString());
        int lastOldWrite = ops.lastIndexOf("write " + old);
        int lastOldSync = ops.lastIndexOf("sync " + old);
        assertTrue(
            lastOldWrite < lastOldSync && lastOldSync < create, "old segment synced first: " + ops);
        int header = ops.subList(create, ops.size()).indexOf("write " + seg) + create;
        int headerSync = ops.subList(create, ops.size()).indexOf("sync " + seg) + create;
        int dirSync = ops.subList(create, ops.size()).indexOf("syncDirectory") + create;
        int firstFrame = ops.subList(header + 1, ops.size()).indexOf("write " + seg) + header + 1;
        assertTrue(
            create < header && header < headerSync && headerSync < dirSync && dirSync < firstFrame,
            "header written and synced, directory entry durable, then frames: " + ops);
      }
    }
  }
}
