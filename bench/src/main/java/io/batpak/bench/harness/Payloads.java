package io.batpak.bench.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The data every system is sent: a seeded pool of realistic JSON events of one size, the entity
 * names (10 k entities drawn with a Zipf distribution, plus one hot entity for stream reads) and
 * the checksum that the fairness check recomputes from what each system returns.
 *
 * <p>Immutable after construction, so thread-safe.
 */
public final class Payloads {
  /** Number of ordinary entities. */
  public static final int ENTITIES = 10_000;

  /** Index of the hot entity (W6): one past the ordinary ones. */
  public static final int HOT = ENTITIES;

  /** The scope every batpak coordinate uses. */
  public static final String SCOPE = "bench";

  /** Distinct payloads per size; events cycle through them. */
  public static final int POOL = 4096;

  private static final String[] TYPES = {
    "OrderPlaced", "PaymentCaptured", "ItemAdded", "OrderShipped", "Refunded", "Paid"
  };
  private static final String[] WORDS = {
    "express",
    "gift",
    "wrap",
    "leave",
    "at",
    "door",
    "fragile",
    "priority",
    "customer",
    "asked",
    "for",
    "invoice",
    "second",
    "attempt",
    "warehouse",
    "north",
    "split",
    "parcel"
  };

  private final int size;
  private final byte[][] bytes;
  private final Bytes[] wrapped;
  private final ObjectNode[] nodes;
  private final long[] hashes;
  private final String[] entities;
  private final long[] entityHashes;
  private final Coordinate[] coordinates;
  private final double[] zipfCdf;

  private Payloads(int size, long seed) {
    this.size = size;
    SplittableRandom random = new SplittableRandom(seed);
    entities = new String[ENTITIES + 1];
    entityHashes = new long[ENTITIES + 1];
    coordinates = new Coordinate[ENTITIES + 1];
    for (int i = 0; i <= ENTITIES; i++) {
      entities[i] = i == HOT ? "hot-000001" : String.format("order-%06d", i);
      entityHashes[i] = fnv(entities[i].getBytes(StandardCharsets.UTF_8));
      coordinates[i] = Coordinate.of(entities[i], SCOPE);
    }
    zipfCdf = new double[ENTITIES];
    double total = 0;
    for (int k = 0; k < ENTITIES; k++) {
      total += 1.0 / (k + 1);
      zipfCdf[k] = total;
    }
    for (int k = 0; k < ENTITIES; k++) {
      zipfCdf[k] /= total;
    }
    bytes = new byte[POOL][];
    wrapped = new Bytes[POOL];
    nodes = new ObjectNode[POOL];
    hashes = new long[POOL];
    ObjectMapper mapper = new ObjectMapper();
    for (int i = 0; i < POOL; i++) {
      bytes[i] = json(random, size).getBytes(StandardCharsets.UTF_8);
      wrapped[i] = Bytes.of(bytes[i]);
      hashes[i] = fnv(bytes[i]);
      try {
        nodes[i] = (ObjectNode) mapper.readTree(bytes[i]);
        byte[] again = mapper.writeValueAsBytes(nodes[i]);
        if (!java.util.Arrays.equals(again, bytes[i])) {
          throw new IllegalStateException("payload does not round-trip through Jackson 2");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The pool of {@code size}-byte events (exactly that size when the fixed fields fit). */
  public static Payloads create(int size, long seed) {
    return new Payloads(size, seed);
  }

  private static String json(SplittableRandom r, int size) {
    String type = TYPES[r.nextInt(TYPES.length)];
    String entity = String.format("order-%06d", r.nextInt(ENTITIES));
    long amount = 100 + r.nextInt(99_900);
    String at =
        String.format(
            "2026-11-%02dT%02d:%02d:%02d.%03dZ",
            1 + r.nextInt(28), r.nextInt(24), r.nextInt(60), r.nextInt(60), r.nextInt(1000));
    String full =
        "{\"amount\":"
            + amount
            + ",\"at\":\""
            + at
            + "\",\"currency\":\"EUR\",\"entity\":\""
            + entity
            + "\",\"note\":\"%s\",\"type\":\""
            + type
            + "\"}";
    String shortForm =
        "{\"amount\":"
            + amount
            + ",\"entity\":\""
            + entity
            + "\",\"note\":\"%s\",\"type\":\"Paid\"}";
    String form = full.length() - 2 <= size ? full : shortForm;
    int room = size - (form.length() - 2);
    StringBuilder note = new StringBuilder();
    while (note.length() < room) {
      if (note.length() > 0) {
        note.append(' ');
      }
      note.append(WORDS[r.nextInt(WORDS.length)]);
    }
    note.setLength(Math.max(room, 0));
    if (note.length() > 0 && note.charAt(note.length() - 1) == ' ') {
      note.setCharAt(note.length() - 1, '.');
    }
    return form.replace("%s", note);
  }

  /** The target payload size in bytes. */
  public int size() {
    return size;
  }

  /** Payload {@code i} of the pool. Callers must not modify it. */
  public byte[] bytes(int i) {
    return bytes[i];
  }

  /** Payload {@code i} as {@link Bytes}. */
  public Bytes wrapped(int i) {
    return wrapped[i];
  }

  /** Payload {@code i} as a Jackson 2 tree (Axon's payload). Callers must not modify it. */
  public ObjectNode node(int i) {
    return nodes[i];
  }

  /** The name of entity {@code e}. */
  public String entity(int e) {
    return entities[e];
  }

  /** The batpak coordinate of entity {@code e}. */
  public Coordinate coordinate(int e) {
    return coordinates[e];
  }

  /** A Zipf-distributed entity index in {@code [0, ENTITIES)}. */
  public int zipf(SplittableRandom r) {
    double u = r.nextDouble();
    int lo = 0;
    int hi = ENTITIES - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (zipfCdf[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * The checksum contribution of payload {@code payload} at {@code version} of entity {@code e}.
   */
  public long contribution(int e, long version, int payload) {
    return mix(entityHashes[e], version, hashes[payload]);
  }

  /** The checksum contribution of an event read back from a system. */
  public static long contribution(String stream, long version, byte[] payload) {
    return mix(fnv(stream.getBytes(StandardCharsets.UTF_8)), version, fnv(payload));
  }

  static long mix(long streamHash, long version, long payloadHash) {
    long h = streamHash * 0x9E3779B97F4A7C15L;
    h ^= (version + 0x632BE59BD9B4E019L) * 0xC2B2AE3D27D4EB4FL;
    h ^= payloadHash;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** 64-bit FNV-1a. */
  public static long fnv(byte[] b) {
    long h = 0xcbf29ce484222325L;
    for (byte x : b) {
      h ^= x & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
