package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AncestorWalk;
import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.CauseWalk;
import io.batpak.Coordinate;
import io.batpak.CorruptStoreException;
import io.batpak.EventHeader;
import io.batpak.OpenReport.IndexSource;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage under the causal walks: a byte flipped in a stored frame ends a walk at the damaged event
 * with the reason (READ_FAILURE with the frame's file and offset when its CRC fails; BROKEN_LINK
 * when the CRC was recomputed and only the hashes can tell), never with a wrong answer.
 */
@ExtendWith(Seeded.class)
class CausalDamageTest {
  @TempDir Path dir;

  /** Ten events of one stream, each caused by the one before; then one of another stream. */
  private final List<AppendReceipt> chain = new ArrayList<>();

  private final List<FrameLocation> frames = new ArrayList<>();
  private static final int PAYLOAD = 150;

  private StoreConfig readOnly() {
    return StoreConfig.builder(dir).readOnly(true).build();
  }

  @BeforeEach
  void build() {
    Random random = new Random(42);
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      for (int i = 0; i < 10; i++) {
        byte[] payload = new byte[PAYLOAD];
        random.nextBytes(payload);
        AppendOptions o = AppendOptions.defaults();
        if (i > 0) {
          o = o.withCausation(CausationId.of(chain.get(i - 1).eventId()));
        }
        chain.add(store.append(Coordinate.of("s", "x"), KIND, Bytes.ofOwned(payload), o));
      }
      store.append(Coordinate.of("other", "x"), KIND, Bytes.utf8("last"));
    }
    frames.addAll(StoreFixtures.frames(dir, chain));
  }

  private Path segmentOf(int i) {
    return StoreFixtures.segment(dir, frames.get(i).segmentId());
  }

  /** Flips bit 0x10 of the byte at {@code fromEnd} bytes before the end of event i's frame. */
  private void flip(int i, int fromEnd, boolean fixCrc) throws Exception {
    Path seg = segmentOf(i);
    byte[] b = Files.readAllBytes(seg);
    FrameLocation f = frames.get(i);
    int end = (int) (f.offset() + f.length());
    b[end - fromEnd] ^= 0x10;
    if (fixCrc) {
      int at = (int) f.offset();
      CRC32C crc = new CRC32C();
      crc.update(b, at, 4);
      crc.update(b, at + 8, f.length() - 8);
      ByteBuffer.wrap(b).putInt(at + 4, (int) crc.getValue());
    }
    Files.write(seg, b);
  }

  private List<Long> globals(List<EventHeader> hs) {
    return hs.stream().map(EventHeader::globalSequence).toList();
  }

  private List<Long> range(int from, int downTo) {
    List<Long> out = new ArrayList<>();
    for (int i = from; i >= downTo; i--) {
      out.add(chain.get(i).globalSequence());
    }
    return out;
  }

  @Test
  void aFrameFailingItsCrcIsAReadFailureAtThatEventNamingFileAndOffset() throws Exception {
    flip(4, 1, false); // the last payload byte of event 4
    try (Store store = Store.open(readOnly())) {
      assertEquals(IndexSource.CHECKPOINT, store.openReport().indexLoad().source());
      AncestorWalk a = store.walkAncestors(chain.get(9).eventId(), 100);
      assertEquals(range(8, 5), globals(a.ancestors()), a.toString());
      assertEquals(AncestorWalk.Boundary.READ_FAILURE, a.boundary(), a.toString());
      assertEquals(chain.get(4).globalSequence(), a.atGlobalSequence());
      assertTrue(a.detail().contains(segmentOf(4).toString()), a.detail());
      assertTrue(a.detail().contains("offset " + frames.get(4).offset()), a.detail());

      CauseWalk c = store.walkCauses(chain.get(9).eventId());
      assertEquals(range(8, 5), globals(c.causes()), c.toString());
      assertEquals(CauseWalk.Boundary.READ_FAILURE, c.boundary(), c.toString());
      assertEquals(chain.get(4).globalSequence(), c.atGlobalSequence());
      assertTrue(c.detail().contains(segmentOf(4).toString()), c.detail());

      // The event itself, and a list that must read it, throw with the same place.
      CorruptStoreException e =
          assertThrows(
              CorruptStoreException.class, () -> store.consequences(chain.get(3).eventId()));
      assertEquals(frames.get(4).offset(), e.offset());
      e =
          assertThrows(
              CorruptStoreException.class, () -> store.walkAncestors(chain.get(4).eventId(), 5));
      assertEquals(segmentOf(4).toString(), e.file());
      // Walks that do not reach it are whole.
      assertEquals(
          AncestorWalk.Boundary.GENESIS, store.walkAncestors(chain.get(3).eventId(), 9).boundary());
      assertEquals(
          List.of(chain.get(6).globalSequence()),
          globals(store.consequences(chain.get(5).eventId())));
    }
  }

  @Test
  void aChangedPayloadWithItsCrcRecomputedIsABrokenLinkAtThatEvent() throws Exception {
    flip(4, 1, true);
    try (Store store = Store.open(readOnly())) {
      AncestorWalk a = store.walkAncestors(chain.get(9).eventId(), 100);
      assertEquals(range(8, 5), globals(a.ancestors()), a.toString());
      assertEquals(AncestorWalk.Boundary.BROKEN_LINK, a.boundary(), a.toString());
      assertEquals(chain.get(4).globalSequence(), a.atGlobalSequence());
      assertTrue(a.detail().contains("payload hashes to"), a.detail());
      AncestorWalk own = store.walkAncestors(chain.get(4).eventId(), 3);
      assertEquals(List.of(), own.ancestors());
      assertEquals(AncestorWalk.Boundary.BROKEN_LINK, own.boundary());
      assertEquals(chain.get(4).globalSequence(), own.atGlobalSequence());
    }
  }

  @Test
  void aChangedHashWithItsCrcRecomputedIsABrokenLinkAtThatEvent() throws Exception {
    // The record ends: previous hash, content hash, event hash, u32 payload length, payload.
    int eventHashFromEnd = PAYLOAD + 4 + 32;
    int prevHashFromEnd = PAYLOAD + 4 + 96;
    flip(5, eventHashFromEnd - 3, true);
    try (Store store = Store.open(readOnly())) {
      AncestorWalk a = store.walkAncestors(chain.get(9).eventId(), 100);
      assertEquals(range(8, 6), globals(a.ancestors()), a.toString());
      assertEquals(AncestorWalk.Boundary.BROKEN_LINK, a.boundary(), a.toString());
      assertEquals(chain.get(5).globalSequence(), a.atGlobalSequence(), a.toString());
      assertTrue(a.detail().contains("names previous hash"), a.detail());
    }
    flip(5, eventHashFromEnd - 3, true); // back
    flip(7, prevHashFromEnd - 5, true);
    try (Store store = Store.open(readOnly())) {
      AncestorWalk a = store.walkAncestors(chain.get(9).eventId(), 100);
      assertEquals(range(8, 8), globals(a.ancestors()), a.toString());
      assertEquals(AncestorWalk.Boundary.BROKEN_LINK, a.boundary(), a.toString());
      assertEquals(chain.get(7).globalSequence(), a.atGlobalSequence(), a.toString());
      assertTrue(a.detail().contains("hash to event hash"), a.detail());
      // Below the damage the chain is whole.
      AncestorWalk below = store.walkAncestors(chain.get(6).eventId(), 100);
      assertEquals(range(5, 0), globals(below.ancestors()));
      assertEquals(AncestorWalk.Boundary.GENESIS, below.boundary());
    }
  }
}
