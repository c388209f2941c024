package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreListener;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A callback the commit path runs (a {@link StoreListener}) that calls the store back: the append
 * it makes would wait for the commit that is running it. The store refuses it at once, typed and
 * saying why, instead of hanging the committer (threaded mode) or nesting a commit inside a commit
 * (deterministic mode).
 */
class ReentrancyTest {
  static final Coordinate OUTER = Coordinate.of("outer", "s");
  static final Coordinate INNER = Coordinate.of("inner", "s");

  @TempDir Path dir;

  /** A listener that appends once, from its first groupCommitted report, and keeps what it got. */
  static final class AppendingListener implements StoreListener {
    final AtomicReference<Store> store = new AtomicReference<>();
    final AtomicReference<Throwable> thrown = new AtomicReference<>();
    final AtomicBoolean once = new AtomicBoolean();

    @Override
    public void groupCommitted(int events, long bytes) {
      Store s = store.get();
      if (s != null && once.compareAndSet(false, true)) {
        try {
          s.append(INNER, KIND, Bytes.utf8("from the listener"));
        } catch (Throwable t) {
          thrown.set(t);
          throw t;
        }
      }
    }
  }

  @Test
  void aListenerThatAppendsIsRefusedInsteadOfDeadlockingTheCommitter() {
    AppendingListener listener = new AppendingListener();
    Store store =
        Store.open(
            StoreConfig.builder(dir)
                .listener(listener)
                .closeTimeout(Duration.ofSeconds(2))
                .build());
    listener.store.set(store);
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          store.append(OUTER, KIND, Bytes.utf8("outer"));
          store.append(OUTER, KIND, Bytes.utf8("after"));
          store.close();
        },
        "an append from a StoreListener, on the committer thread, hung the store");
    assertRefused(listener.thrown.get());
  }

  @Test
  void aListenerThatAppendsIsRefusedInDeterministicModeToo() throws Exception {
    AppendingListener listener = new AppendingListener();
    try (SimStoreFs fs = new SimStoreFs(7)) {
      StoreConfig config =
          StoreConfig.builder(Path.of("/reentrant"))
              .fs(fs)
              .clock(new SimStoreClock())
              .entropy(new SimEntropy(7))
              .deterministic(true)
              .listener(listener)
              .build();
      try (Store store = Store.open(config)) {
        listener.store.set(store);
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () -> {
              store.append(OUTER, KIND, Bytes.utf8("outer"));
              store.append(OUTER, KIND, Bytes.utf8("after"));
            });
        assertRefused(listener.thrown.get());
        assertEquals(2, store.stream("outer").size());
        assertEquals(0, store.stream("inner").size(), "the refused append wrote nothing");
      }
    }
  }

  /**
   * An atomic gate that appends: in threaded mode the append waited on the gate thread for the
   * writer that waited for the gate, so the gated append was denied GATE_TIMEOUT at its budget and
   * the gate's own append was then committed behind its back; in deterministic mode it nested a
   * commit. Both modes now deny GATE_DEFECT at once, naming the IllegalStateException, and the
   * gate's append writes nothing.
   */
  @Test
  void aGateThatAppendsIsDeniedAsADefectAndItsAppendWritesNothing() throws Exception {
    for (boolean deterministic : new boolean[] {false, true}) {
      AtomicReference<Store> ref = new AtomicReference<>();
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      io.batpak.AtomicGate<Void> appending =
          calling(
              "appending", ref, st -> st.append(INNER, KIND, Bytes.utf8("from the gate")), thrown);
      try (SimStoreFs fs = new SimStoreFs(11)) {
        StoreConfig.Builder b =
            deterministic
                ? StoreConfig.builder(Path.of("/gate"))
                    .fs(fs)
                    .clock(new SimStoreClock())
                    .entropy(new SimEntropy(11))
                    .deterministic(true)
                : StoreConfig.builder(dir.resolve("gate")).gateBudget(Duration.ofSeconds(5));
        try (Store store = Store.open(b.build())) {
          ref.set(store);
          io.batpak.GateDeniedException denied =
              deniedPromptly(store, appending, "deterministic=" + deterministic);
          assertEquals(io.batpak.Denial.GATE_DEFECT, denied.denial().code(), denied.getMessage());
          assertInstanceOf(IllegalStateException.class, thrown.get());
          assertTrue(thrown.get().getMessage().contains("atomic gate"), thrown.get().getMessage());
          assertEquals(0, store.stream("inner").size(), "deterministic=" + deterministic);
          assertEquals(0, store.stream("outer").size());
          store.append(OUTER, KIND, Bytes.utf8("after"));
        }
      }
    }
  }

  /**
   * A gate that closes the store: close waited on the gate thread for the committer that waited for
   * the gate, the gate thread was interrupted at its budget, and close then failed the gated append
   * with "stuck in an I/O call for longer than closeTimeout (PT10S)" after some 100 ms. Now the
   * close is refused (the gate is denied GATE_DEFECT) and the store stays open.
   */
  @Test
  void aGateThatClosesTheStoreIsDeniedAndTheStoreStaysOpen() {
    AtomicReference<Store> ref = new AtomicReference<>();
    io.batpak.AtomicGate<Void> closing =
        calling("closing", ref, Store::close, new AtomicReference<>());
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      ref.set(store);
      io.batpak.GateDeniedException denied = deniedPromptly(store, closing, "close()");
      assertEquals(io.batpak.Denial.GATE_DEFECT, denied.denial().code(), denied.getMessage());
      assertTrue(denied.getMessage().contains("IllegalStateException"), denied.getMessage());
      store.append(OUTER, KIND, Bytes.utf8("after"));
      assertEquals(1, store.stream("outer").size());
    }
  }

  /**
   * Every other call that needs the commit path, made from a gate: sync, a compaction, a fence, a
   * snapshot or a fork waited for the commit that waited for the gate. In threaded mode the gated
   * append was denied {@code GATE_TIMEOUT} at its budget and the call then went ahead behind its
   * back; in deterministic mode it ran inside the commit. Each is refused at once, in both modes:
   * the gate is denied {@code GATE_DEFECT}, nothing is done (no copy is published), and the store
   * goes on.
   */
  @Test
  void everyCallThatNeedsTheCommitPathIsRefusedFromAGate() throws Exception {
    Map<String, Consumer<Store>> calls = new LinkedHashMap<>();
    calls.put("sync()", Store::sync);
    calls.put("compact()", s -> s.compact(io.batpak.CompactionConfig.merge()));
    calls.put("beginFence()", Store::beginFence);
    calls.put("snapshot()", s -> s.snapshot(Path.of("/copies/snapshot")));
    calls.put("fork()", s -> s.fork(Path.of("/copies/fork")));
    for (boolean deterministic : new boolean[] {false, true}) {
      for (Map.Entry<String, Consumer<Store>> call : calls.entrySet()) {
        String what = call.getKey() + (deterministic ? ", deterministic" : ", threaded");
        AtomicReference<Store> ref = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        io.batpak.AtomicGate<Void> gate = calling("calling", ref, call.getValue(), thrown);
        try (SimStoreFs fs = new SimStoreFs(13)) {
          fs.createDirectories(Path.of("/copies"));
          StoreConfig.Builder b =
              StoreConfig.builder(Path.of("/gate"))
                  .fs(fs)
                  .gateBudget(Duration.ofSeconds(5))
                  .deterministic(deterministic);
          if (deterministic) {
            b.clock(new SimStoreClock()).entropy(new SimEntropy(13));
          }
          try (Store store = Store.open(b.build())) {
            ref.set(store);
            store.append(OUTER, KIND, Bytes.utf8("before"));
            io.batpak.GateDeniedException denied = deniedPromptly(store, gate, what);
            assertEquals(io.batpak.Denial.GATE_DEFECT, denied.denial().code(), what);
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, thrown.get());
            assertTrue(
                e.getMessage().startsWith(call.getKey() + " from an atomic gate"), e.getMessage());
            assertEquals(List.of(), fs.list(Path.of("/copies")), what + ": nothing was copied");
            store.append(OUTER, KIND, Bytes.utf8("after"));
            store.sync();
            assertEquals(2, store.stream("outer").size(), what);
          }
        }
      }
    }
  }

  /**
   * A gate on an append made through a fence that commits or cancels that fence: refused like every
   * other call that needs the commit path, and the fence stays open for its owner to end.
   */
  @Test
  void aGateThatEndsItsFenceIsDeniedAndTheFenceStaysOpen() throws Exception {
    for (boolean commit : new boolean[] {true, false}) {
      AtomicReference<io.batpak.VisibilityFence> fence = new AtomicReference<>();
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      io.batpak.AtomicGate<Void> ending =
          calling(
              "ending",
              new AtomicReference<>(),
              st -> {
                if (commit) {
                  fence.get().commit();
                } else {
                  fence.get().cancel();
                }
              },
              thrown);
      try (SimStoreFs fs = new SimStoreFs(17);
          Store store =
              Store.open(
                  StoreConfig.builder(Path.of("/fence"))
                      .fs(fs)
                      .gateBudget(Duration.ofSeconds(5))
                      .build())) {
        fence.set(store.beginFence());
        io.batpak.GateDeniedException denied =
            org.junit.jupiter.api.Assertions.assertThrows(
                io.batpak.GateDeniedException.class,
                () ->
                    assertTimeoutPreemptively(
                        Duration.ofSeconds(3),
                        () ->
                            fence
                                .get()
                                .append(
                                    OUTER,
                                    KIND,
                                    Bytes.utf8("gated"),
                                    io.batpak.AppendOptions.defaults().withGate(ending))));
        assertEquals(io.batpak.Denial.GATE_DEFECT, denied.denial().code(), "commit=" + commit);
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, thrown.get());
        assertTrue(e.getMessage().contains("from an atomic gate"), e.getMessage());
        fence.get().append(OUTER, KIND, Bytes.utf8("under the fence"));
        fence.get().commit(); // still open: its owner ends it
        assertEquals(1, store.stream("outer").size(), "commit=" + commit);
      }
    }
  }

  /**
   * A gate that makes {@code call} on the store {@code ref} holds, keeps what the call threw in
   * {@code thrown} (and throws it on), and otherwise permits.
   */
  private static io.batpak.AtomicGate<Void> calling(
      String name,
      AtomicReference<Store> ref,
      Consumer<Store> call,
      AtomicReference<Throwable> thrown) {
    return io.batpak.AtomicGate.of(
        name,
        ctx -> {
          try {
            call.accept(ref.get());
          } catch (RuntimeException e) {
            thrown.set(e);
            throw e;
          }
          return io.batpak.GateVerdict.permit();
        });
  }

  /** Appends to {@code OUTER} under {@code gate}, which must deny it within 3 s (never hang). */
  private static io.batpak.GateDeniedException deniedPromptly(
      Store store, io.batpak.AtomicGate<?> gate, String what) {
    return org.junit.jupiter.api.Assertions.assertThrows(
        io.batpak.GateDeniedException.class,
        () ->
            assertTimeoutPreemptively(
                Duration.ofSeconds(3),
                () ->
                    store.append(
                        OUTER,
                        KIND,
                        Bytes.utf8("gated"),
                        io.batpak.AppendOptions.defaults().withGate(gate))),
        what);
  }

  private static void assertRefused(Throwable thrown) {
    assertNotNull(thrown, "the listener's append was not refused");
    IllegalStateException e = assertInstanceOf(IllegalStateException.class, thrown);
    assertTrue(
        e.getMessage().contains("StoreListener") && e.getMessage().contains("another thread"),
        e.getMessage());
  }
}
