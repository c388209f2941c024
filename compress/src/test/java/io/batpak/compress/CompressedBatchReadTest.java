package io.batpak.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.test.BatpakTest;
import io.batpak.test.SimStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Events of batch frames with compressed payloads, read again and again in random order in one open
 * store (after the first read of a batch frame, its events are read by their record alone, ADR
 * 0029): every read returns the payload appended and the same header, and the headers of a stream
 * (which never decompress) equal the headers of the events read with their payloads. On the
 * simulated file system; the seed is in every message.
 */
@BatpakTest
class CompressedBatchReadTest {
  private static final Path DIR = Path.of("/sim/batches");
  private static final EventKind KIND = EventKind.custom(1, 2);

  @ParameterizedTest
  @ValueSource(strings = {"lz4", "zstd"})
  void everyReadOfABatchEventReturnsWhatWasAppended(String compressor, SimStore kit) {
    long seed = kit.seed();
    Random random = new Random(seed);
    String where = compressor + ", seed " + seed;
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    StoreConfig config =
        StoreConfig.builder(DIR)
            .fs(fs)
            .clock(new SimStoreClock())
            .entropy(new SimEntropy(3))
            .deterministic(true)
            .segmentMaxBytes(64 << 10)
            .compression(compressor)
            .compressionThreshold(Payloads.THRESHOLD)
            .build();
    List<byte[]> payloads = new ArrayList<>();
    List<AppendReceipt> receipts = new ArrayList<>();
    try (Store s = Store.open(config)) {
      for (int b = 0; b < 12; b++) {
        List<BatchItem> items = new ArrayList<>();
        for (int i = 1 + random.nextInt(30); i > 0; i--) {
          byte[] p =
              random.nextBoolean()
                  ? Payloads.text(random, random.nextInt(3 * Payloads.THRESHOLD))
                  : Payloads.random(random, random.nextInt(Payloads.THRESHOLD));
          payloads.add(p);
          items.add(
              BatchItem.of(Coordinate.of("order:" + random.nextInt(3), "shop"), KIND, Bytes.of(p)));
        }
        receipts.addAll(s.appendBatch(items));
      }
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < receipts.size(); i++) {
        order.add(i);
      }
      List<EventHeader> headers = new ArrayList<>(Collections.nCopies(receipts.size(), null));
      for (int round = 0; round < 3; round++) {
        Collections.shuffle(order, random);
        for (int i : order) {
          StoredEvent e = s.get(receipts.get(i).eventId());
          String at = where + ", round " + round + ", event " + i;
          assertArrayEquals(payloads.get(i), e.payload().toByteArray(), at);
          if (headers.get(i) == null) {
            headers.set(i, e.header());
          }
          assertEquals(headers.get(i), e.header(), at);
        }
      }
      for (String entity : List.of("order:0", "order:1", "order:2")) {
        for (EventHeader h : s.stream(entity)) {
          assertEquals(headers.get((int) h.globalSequence()), h, where + ", " + entity);
        }
      }
    }
  }
}
