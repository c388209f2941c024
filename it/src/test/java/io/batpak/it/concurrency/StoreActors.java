package io.batpak.it.concurrency;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.Durability;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.EventNotFoundException;
import io.batpak.ExpectedVersion;
import io.batpak.IdempotencyConflictException;
import io.batpak.IdempotencyKey;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;

/**
 * The store's concurrent operations as Lincheck actors, over a fresh store on {@link SimStoreFs}
 * (with {@link SimStoreClock} and {@link SimEntropy}) per invocation. Each operation returns a text
 * that {@link StoreModel}, the sequential specification, returns for the same call in a sequential
 * history: receipts as global and stream sequence, reads as payload lists, failures by kind. Two
 * streams, three payloads and two idempotency keys keep the state space small enough that
 * conflicts, retries and key reuse happen in most scenarios.
 *
 * <p>Subclasses pick the committer mode and durability; the store is opened in the constructor and
 * closed by the validation function, which also checks that nothing is left open.
 */
@Param(name = "entity", gen = IntGen.class, conf = "0:1")
@Param(name = "payload", gen = IntGen.class, conf = "0:2")
@Param(name = "expected", gen = IntGen.class, conf = "-2:1")
@Param(name = "key", gen = IntGen.class, conf = "0:2")
@Param(name = "after", gen = IntGen.class, conf = "-1:2")
@Param(name = "limit", gen = IntGen.class, conf = "1:3")
public abstract class StoreActors {
  static final String OK = "ok";
  static final String CONFLICT = "conflict";
  static final String IDEMPOTENCY_CONFLICT = "idempotency-conflict";
  static final String NOT_FOUND = "not-found";

  /** The {@code expected} argument for {@link ExpectedVersion#any()}. */
  static final int ANY = -2;

  /** The {@code expected} argument for {@link ExpectedVersion#noStream()}. */
  static final int NO_STREAM = -1;

  static final EventKind KIND = EventKind.custom(1, 1);
  static final Path DIR = Path.of("/sim/store");

  final SimStoreFs fs;
  final Store store;

  /**
   * Opens a store over a fresh simulator.
   *
   * @param deterministic whether the engine commits on the calling threads (no committer thread)
   * @param durability when appends return
   */
  protected StoreActors(boolean deterministic, Durability durability) {
    fs = new SimStoreFs(0x5EEDL);
    try {
      fs.createDirectories(DIR.getParent());
      fs.syncAll();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StoreConfig.Builder b =
        StoreConfig.builder(DIR)
            .fs(fs)
            .clock(new SimStoreClock())
            .entropy(new SimEntropy(0x5EEDL))
            .codec("bytes") // payloads are Bytes; no JSON codec to build per invocation
            .deterministic(deterministic);
    if (durability == Durability.VISIBLE) {
      b.visible(2, Duration.ofMillis(10));
    }
    store = Store.open(b.build());
  }

  static String entity(int e) {
    return "e" + e;
  }

  static String payload(int p) {
    return "p" + p;
  }

  static String batchPayload(int item) {
    return "b" + item;
  }

  /** The two keys of a keyed batch: they overlap the single appends' keys 1 and 2 on purpose. */
  static int[] batchKeys(int key) {
    return new int[] {key, key + 1};
  }

  static String receipt(long global, long stream) {
    return "g" + global + "s" + stream;
  }

  static IdempotencyKey idempotencyKey(int key) {
    return IdempotencyKey.of(0x1D, key);
  }

  static AppendOptions options(int expected, int key) {
    AppendOptions o = AppendOptions.defaults();
    if (expected == NO_STREAM) {
      o = o.withExpectedVersion(ExpectedVersion.noStream());
    } else if (expected >= 0) {
      o = o.withExpectedVersion(ExpectedVersion.exactly(expected));
    }
    if (key != 0) {
      o = o.withIdempotencyKey(idempotencyKey(key));
    }
    return o;
  }

  /** One event appended with {@code append}. */
  @Operation
  public String append(
      @Param(name = "entity") int entity,
      @Param(name = "payload") int payload,
      @Param(name = "expected") int expected,
      @Param(name = "key") int key) {
    try {
      AppendReceipt r =
          store.append(
              Coordinate.of(entity(entity), "s"),
              KIND,
              Bytes.utf8(payload(payload)),
              options(expected, key));
      return receipt(r.globalSequence(), r.streamSequence());
    } catch (ConcurrencyConflictException e) {
      return CONFLICT;
    } catch (IdempotencyConflictException e) {
      return IDEMPOTENCY_CONFLICT;
    }
  }

  /** One event queued with {@code submit}, then joined. */
  @Operation
  public String submit(
      @Param(name = "entity") int entity,
      @Param(name = "payload") int payload,
      @Param(name = "expected") int expected,
      @Param(name = "key") int key) {
    try {
      AppendReceipt r =
          store
              .submit(
                  Coordinate.of(entity(entity), "s"),
                  KIND,
                  Bytes.utf8(payload(payload)),
                  options(expected, key))
              .join();
      return receipt(r.globalSequence(), r.streamSequence());
    } catch (CompletionException e) {
      if (e.getCause() instanceof ConcurrencyConflictException) {
        return CONFLICT;
      }
      if (e.getCause() instanceof IdempotencyConflictException) {
        return IDEMPOTENCY_CONFLICT;
      }
      throw e;
    }
  }

  /** A batch of two events, on {@code first} and {@code second}, keyed if {@code key != 0}. */
  @Operation
  public String batch(
      @Param(name = "entity") int first,
      @Param(name = "entity") int second,
      @Param(name = "key") int key) {
    int[] keys = batchKeys(key);
    int[] entities = {first, second};
    List<BatchItem> items = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      BatchItem item =
          BatchItem.of(Coordinate.of(entity(entities[i]), "s"), KIND, Bytes.utf8(batchPayload(i)));
      items.add(key == 0 ? item : item.withOptions(options(ANY, keys[i])));
    }
    try {
      List<AppendReceipt> rs = store.appendBatch(items);
      return receipt(rs.get(0).globalSequence(), rs.get(0).streamSequence())
          + ","
          + receipt(rs.get(1).globalSequence(), rs.get(1).streamSequence());
    } catch (IdempotencyConflictException e) {
      return IDEMPOTENCY_CONFLICT;
    }
  }

  /** The payloads of one stream, in stream order. */
  @Operation
  public String stream(@Param(name = "entity") int entity) {
    List<String> out = new ArrayList<>();
    for (EventHeader h : store.stream(entity(entity))) {
      out.add(store.get(h.eventId()).payload().toUtf8());
    }
    return out.toString();
  }

  /** The payload of the event committed under idempotency key {@code key}. */
  @Operation
  public String get(@Param(name = "key") int key) {
    try {
      return store.get(EventId.of(idempotencyKey(key))).payload().toUtf8();
    } catch (EventNotFoundException e) {
      return NOT_FOUND;
    }
  }

  /** A page of every event after {@code after}. */
  @Operation
  public String queryAfter(@Param(name = "after") int after, @Param(name = "limit") int limit) {
    List<String> out = new ArrayList<>();
    for (EventHeader h : store.queryAfter(Region.all(), after, limit)) {
      out.add(
          h.globalSequence() + ":" + h.entity() + ":" + store.get(h.eventId()).payload().toUtf8());
    }
    return out.toString();
  }

  /** An explicit fsync. */
  @Operation
  public String sync() {
    store.sync();
    return OK;
  }

  /** Closes the store after every invocation; close must succeed and release every handle. */
  @Validate
  public void closeAndCheck() {
    store.close();
    fs.assertNoOpenHandles();
  }
}
