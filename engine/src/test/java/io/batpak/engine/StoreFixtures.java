package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.engine.internal.format.SegmentSeal;
import io.batpak.engine.internal.index.IndexCheckpoint;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Shared helpers of the engine tests. */
public final class StoreFixtures {
  static final EventKind KIND = EventKind.custom(1, 1);
  static final EventKind OTHER_KIND = EventKind.custom(2, 7);
  static final byte[] ZERO_HASH = new byte[32];

  private StoreFixtures() {}

  /** Opens a store with the default configuration. */
  static Store open(Path dir) {
    return Store.open(StoreConfig.builder(dir).build());
  }

  /** The real posix backend, opened directly, for wrapping in a forwarding fs. */
  static StoreFs posix() {
    try {
      return StoreFsResolver.resolve("posix", StoreFixtures.class.getClassLoader())
          .open(FsOptions.defaults());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every visible event that matches {@code region}, in global order, read a page at a time. */
  static List<EventHeader> query(Store store, Region region) {
    List<EventHeader> all = new ArrayList<>();
    long after = -1;
    while (true) {
      List<EventHeader> page = store.queryAfter(region, after, 1000);
      all.addAll(page);
      if (page.size() < 1000) {
        return all;
      }
      after = page.get(page.size() - 1).globalSequence();
    }
  }

  /** Where the frame of {@code r} lies in the open {@code store}. */
  static FrameLocation frame(Store store, AppendReceipt r) {
    return FrameLocation.of(store, r.eventId());
  }

  /**
   * Where the frames of {@code receipts} lie in the closed store in {@code dir} (opened read-only).
   */
  static List<FrameLocation> frames(Path dir, List<AppendReceipt> receipts) {
    try (Store store = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      return receipts.stream().map(r -> frame(store, r)).toList();
    }
  }

  /** Where the frame of {@code r} lies in the closed store in {@code dir} (opened read-only). */
  static FrameLocation frame(Path dir, AppendReceipt r) {
    return frames(dir, List.of(r)).get(0);
  }

  /** The path of segment {@code id}. */
  static Path segment(Path dir, long id) {
    return dir.resolve(String.format("%010d.seg", id));
  }

  /** Segment files, oldest first. */
  static List<Path> segments(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Turns the cleanly closed store in {@code dir} into what a crash leaves: every sealed segment is
   * cut back to its footer offset (read from its trailer), so it ends with its last frame, and the
   * index checkpoint is deleted. An open then reads every frame, as it did before segments were
   * sealed, so damage written afterwards is found (or cut as a torn tail) by the open itself.
   *
   * @return how many seals were removed
   */
  public static int crashShape(Path dir) {
    int stripped = 0;
    try {
      for (Path seg : segments(dir)) {
        try (FileChannel ch =
            FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          if (ch.size() < SegmentSeal.TRAILER) {
            continue;
          }
          ByteBuffer trailer = ByteBuffer.allocate(SegmentSeal.TRAILER);
          ch.read(trailer, ch.size() - SegmentSeal.TRAILER);
          long footer = SegmentSeal.footerOffset(trailer.array());
          if (footer >= 0) {
            assertTrue(footer < ch.size(), seg + ": a trailer naming offset " + footer);
            ch.truncate(footer);
            ch.force(true);
            stripped++;
          }
        }
      }
      Files.deleteIfExists(dir.resolve(IndexCheckpoint.FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return stripped;
  }

  /** Every file's name and size. */
  static Map<String, Long> sizes(Path dir) {
    Map<String, Long> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        out.put(p.getFileName().toString(), Files.size(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Every file's name and content. */
  static Map<String, byte[]> contents(Path dir) {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static void assertSameContents(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(expected.keySet(), actual.keySet(), "files");
    for (String name : expected.keySet()) {
      assertArrayEquals(expected.get(name), actual.get(name), "content of " + name);
    }
  }

  /**
   * Checks the invariants every store must hold: global sequence dense from 0, every stream dense
   * from 0 with a linked hash chain, and every given receipt verifying and matching its header.
   *
   * @return every header, in global order
   */
  static List<EventHeader> assertIntact(Store store, Collection<AppendReceipt> receipts) {
    return assertIntact(store, receipts, true);
  }

  /**
   * {@link #assertIntact(Store, Collection)} for a store that may hold cancelled fences: global
   * sequences only increase (a cancelled event's sequence is a gap) instead of being dense.
   */
  static List<EventHeader> assertIntactAllowingGaps(
      Store store, Collection<AppendReceipt> receipts) {
    return assertIntact(store, receipts, false);
  }

  private static List<EventHeader> assertIntact(
      Store store, Collection<AppendReceipt> receipts, boolean dense) {
    List<EventHeader> all = query(store, Region.all());
    assertEquals(store.stats().eventCount(), all.size(), "event count vs query");
    Map<String, List<EventHeader>> byStream = new HashMap<>();
    for (int i = 0; i < all.size(); i++) {
      EventHeader h = all.get(i);
      if (dense) {
        assertEquals(i, h.globalSequence(), "global sequence dense at row " + i);
      } else if (i > 0) {
        assertTrue(h.globalSequence() > all.get(i - 1).globalSequence(), "global order at " + i);
      }
      byStream.computeIfAbsent(h.entity(), k -> new ArrayList<>()).add(h);
    }
    for (Map.Entry<String, List<EventHeader>> e : byStream.entrySet()) {
      List<EventHeader> stream = store.stream(e.getKey());
      assertEquals(e.getValue(), stream, "stream " + e.getKey() + " vs query");
      byte[] prev = ZERO_HASH;
      for (int i = 0; i < stream.size(); i++) {
        EventHeader h = stream.get(i);
        assertEquals(i, h.streamSequence(), "stream " + e.getKey() + " dense");
        assertArrayEquals(prev, h.prevHash().toByteArray(), "chain of " + e.getKey() + " at " + i);
        prev = h.eventHash().toByteArray();
      }
      assertEquals(stream.get(stream.size() - 1), store.latest(e.getKey()).orElseThrow(), "latest");
    }
    Map<Long, EventHeader> byGlobal = new HashMap<>();
    for (EventHeader h : all) {
      byGlobal.put(h.globalSequence(), h);
    }
    for (AppendReceipt r : receipts) {
      ReceiptVerification v = store.verifyReceipt(r);
      assertTrue(v.isValid(), () -> "receipt " + r + ": " + v);
      EventHeader h = byGlobal.get(r.globalSequence());
      assertTrue(h != null, () -> "no event at " + r.globalSequence());
      assertEquals(r.eventId(), h.eventId());
      assertEquals(r.streamSequence(), h.streamSequence());
      assertEquals(r.eventHash(), h.eventHash());
      assertEquals(r.prevHash(), h.prevHash());
      assertEquals(r.contentHash(), h.contentHash());
      assertEquals(
          r.unsigned(), h.toReceipt(), "the header's receipt is the one the append returned");
    }
    return all;
  }

  /** Runs {@code body} and returns the exception it throws, of any type, or fails. */
  static Throwable thrown(Runnable body) {
    try {
      body.run();
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("expected an exception");
  }

  /** The failure {@code f} completed with; fails the test if it succeeds or hangs for 30 s. */
  static Throwable failureOf(java.util.concurrent.CompletableFuture<?> f) throws Exception {
    try {
      f.get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the future did not complete within 30 s: it hangs", e);
    }
    throw new AssertionError("expected the future to fail");
  }

  /**
   * Closes {@code store}; a poisoned store must say so with {@link
   * io.batpak.OutcomeUnknownException} (it never closes silently), another must close normally.
   */
  static void close(io.batpak.Store store, boolean poisoned) {
    if (poisoned) {
      org.junit.jupiter.api.Assertions.assertThrows(
          io.batpak.OutcomeUnknownException.class, store::close);
    } else {
      store.close();
    }
  }
}
