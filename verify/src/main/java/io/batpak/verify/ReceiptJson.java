package io.batpak.verify;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.ExtensionKey;
import io.batpak.ReceiptSignature;
import io.batpak.StoreException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apiguardian.api.API;

/**
 * The receipt JSON form of {@code docs/receipts.md}, version 1: a receipt with its signature and,
 * optionally, the event it names (the header fields the receipt does not carry, and the payload).
 * Hand-written and strict: {@link #read} refuses unknown, duplicated, missing and mistyped members
 * with a {@link ReceiptJsonException} naming the field; {@link #write} writes what {@link #read}
 * reads back equal. Stateless and thread-safe.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public final class ReceiptJson {
  /** The value of the document's {@code format} member. */
  public static final String FORMAT = "batpak.receipt";

  /** The document version this build writes and reads. */
  public static final int VERSION = 1;

  private static final HexFormat HEX = HexFormat.of();

  private ReceiptJson() {}

  /** The document of {@code receipt} alone (no event). */
  public static String write(AppendReceipt receipt) {
    Objects.requireNonNull(receipt, "receipt");
    return document(receipt, null, null);
  }

  /**
   * The document of {@code receipt} with its event embedded.
   *
   * @throws IllegalArgumentException if the header is not the receipt's event (another id, sequence
   *     or hash) or the payload is not the header's size
   */
  public static String write(AppendReceipt receipt, EventHeader header, Bytes payload) {
    Objects.requireNonNull(receipt, "receipt");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(payload, "payload");
    if (!header.toReceipt().equals(receipt.unsigned())) {
      throw new IllegalArgumentException(
          "the header of "
              + header.eventId()
              + " is not the event of the receipt of "
              + receipt.eventId()
              + " (an id, a sequence or a hash differs)");
    }
    if (header.payloadSize() != payload.size()) {
      throw new IllegalArgumentException(
          "the header says "
              + header.payloadSize()
              + " payload bytes, the payload has "
              + payload.size());
    }
    return document(receipt, header, payload);
  }

  private static String document(AppendReceipt r, EventHeader h, Bytes payload) {
    StringBuilder b = new StringBuilder(1024);
    b.append("{\n  \"format\": ").append(Json.quote(FORMAT)).append(",\n");
    b.append("  \"version\": ").append(VERSION).append(",\n");
    b.append("  \"receipt\": {\n");
    b.append("    \"eventId\": ").append(Json.quote(r.eventId().toString())).append(",\n");
    b.append("    \"globalSequence\": ").append(r.globalSequence()).append(",\n");
    b.append("    \"streamSequence\": ").append(r.streamSequence()).append(",\n");
    b.append("    \"contentHash\": ").append(hex(r.contentHash())).append(",\n");
    b.append("    \"eventHash\": ").append(hex(r.eventHash())).append(",\n");
    b.append("    \"prevHash\": ").append(hex(r.prevHash())).append(",\n");
    b.append("    \"signature\": ");
    if (r.signature().isEmpty()) {
      b.append("null\n");
    } else {
      ReceiptSignature s = r.signature().get();
      b.append("{\n");
      b.append("      \"version\": ").append(s.version()).append(",\n");
      b.append("      \"keyId\": ").append(hex(s.keyId())).append(",\n");
      b.append("      \"signature\": ").append(hex(s.signature())).append(",\n");
      b.append("      \"root\": ").append(hex(s.root())).append(",\n");
      b.append("      \"leafIndex\": ").append(s.leafIndex()).append(",\n");
      b.append("      \"leafCount\": ").append(s.leafCount()).append(",\n");
      b.append("      \"siblings\": [");
      for (int i = 0; i < s.siblings().size(); i++) {
        b.append(i == 0 ? "" : ", ").append(hex(s.siblings().get(i)));
      }
      b.append("]\n    }\n");
    }
    b.append("  }");
    if (h != null) {
      Base64.Encoder b64 = Base64.getEncoder();
      b.append(",\n  \"event\": {\n");
      b.append("    \"entity\": ").append(Json.quote(h.coordinate().entity())).append(",\n");
      b.append("    \"scope\": ").append(Json.quote(h.coordinate().scope())).append(",\n");
      b.append("    \"kind\": ").append(h.kind().raw()).append(",\n");
      b.append("    \"correlationId\": ")
          .append(Json.quote(h.correlationId().toString()))
          .append(",\n");
      b.append("    \"causationId\": ")
          .append(h.causation().map(c -> Json.quote(c.toString())).orElse("null"))
          .append(",\n");
      b.append("    \"timestampMicros\": ").append(h.timestampMicros()).append(",\n");
      b.append("    \"payloadVersion\": ").append(h.payloadVersion()).append(",\n");
      b.append("    \"flags\": ").append(h.flags()).append(",\n");
      b.append("    \"extensions\": {");
      Map<String, Bytes> ext = new TreeMap<>();
      h.extensions().forEach((k, v) -> ext.put(k.value(), v));
      int i = 0;
      for (Map.Entry<String, Bytes> e : ext.entrySet()) {
        b.append(i++ == 0 ? "" : ", ")
            .append(Json.quote(e.getKey()))
            .append(": ")
            .append(Json.quote(b64.encodeToString(e.getValue().toByteArray())));
      }
      b.append("},\n");
      b.append("    \"payload\": ")
          .append(Json.quote(b64.encodeToString(payload.toByteArray())))
          .append("\n  }");
    }
    return b.append("\n}\n").toString();
  }

  private static String hex(Bytes b) {
    return Json.quote(b.toHex());
  }

  /**
   * Reads a document.
   *
   * @throws NullPointerException if {@code json} is null
   * @throws ReceiptJsonException naming the offending field when the document is not a valid
   *     version 1 receipt document
   */
  public static ReceiptDocument read(String json) {
    Objects.requireNonNull(json, "json");
    Obj doc = Obj.of(Json.parse(json), "$");
    String format = doc.string("format");
    if (!FORMAT.equals(format)) {
      throw new ReceiptJsonException(
          "format", "must be \"" + FORMAT + "\", got " + Json.quote(format));
    }
    long version = doc.integer("version", 0, Integer.MAX_VALUE);
    if (version != VERSION) {
      throw new ReceiptJsonException(
          "version",
          "this reader knows version " + VERSION + ", the document is version " + version);
    }
    Obj r = doc.object("receipt");
    EventId id = r.parsed("eventId", EventId::parse);
    long global = r.integer("globalSequence", 0, Long.MAX_VALUE);
    long stream = r.integer("streamSequence", 0, Long.MAX_VALUE);
    Bytes content = r.hash("contentHash", 32);
    Bytes event = r.hash("eventHash", 32);
    Bytes prev = r.hash("prevHash", 32);
    Optional<ReceiptSignature> signature = Optional.empty();
    if (!r.isNull("signature")) {
      Obj s = r.object("signature");
      int sv = (int) s.integer("version", 1, 255);
      Bytes keyId = s.hash("keyId", 32);
      Bytes sig = s.hash("signature", 64);
      Bytes root = s.hash("root", 32);
      int leafCount = (int) s.integer("leafCount", 1, Integer.MAX_VALUE);
      int leafIndex = (int) s.integer("leafIndex", 0, leafCount - 1);
      List<Object> raw = s.array("siblings");
      if (raw.size() > 64) {
        throw new ReceiptJsonException(
            s.path("siblings"), "at most 64 sibling hashes, got " + raw.size());
      }
      List<Bytes> siblings = new ArrayList<>();
      for (int i = 0; i < raw.size(); i++) {
        siblings.add(hexValue(s.path("siblings") + "[" + i + "]", raw.get(i), 32));
      }
      s.done();
      signature =
          Optional.of(new ReceiptSignature(sv, keyId, sig, root, leafIndex, leafCount, siblings));
    }
    r.done();
    AppendReceipt receipt = new AppendReceipt(id, global, stream, content, event, prev, signature);
    if (!doc.has("event")) {
      doc.done();
      return new ReceiptDocument(receipt, Optional.empty(), Optional.empty());
    }
    Obj e = doc.object("event");
    String entity = e.string("entity");
    String scope = e.string("scope");
    Coordinate coordinate;
    try {
      coordinate = Coordinate.of(entity, scope);
    } catch (StoreException x) {
      throw new ReceiptJsonException(e.path("entity"), x.getMessage());
    }
    EventKind kind = EventKind.fromRaw((int) e.integer("kind", 0, 0xFFFF));
    CorrelationId correlation = e.parsed("correlationId", CorrelationId::parse);
    Optional<CausationId> causation =
        e.isNull("causationId")
            ? Optional.empty()
            : Optional.of(e.parsed("causationId", CausationId::parse));
    long timestamp = e.integer("timestampMicros", Long.MIN_VALUE, Long.MAX_VALUE);
    int payloadVersion = (int) e.integer("payloadVersion", 0, 0xFFFF);
    int flags = (int) e.integer("flags", 0, 0xFF);
    Obj ext = e.object("extensions");
    Map<ExtensionKey, Bytes> extensions = new LinkedHashMap<>();
    for (String key : ext.names()) {
      ExtensionKey k;
      try {
        k = ExtensionKey.of(key);
      } catch (StoreException x) {
        throw new ReceiptJsonException(ext.path(key), x.getMessage());
      }
      extensions.put(k, ext.base64(key));
    }
    ext.done();
    Bytes payload = e.base64("payload");
    e.done();
    doc.done();
    EventHeader header =
        new EventHeader(
            id,
            coordinate,
            kind,
            stream,
            global,
            timestamp,
            correlation,
            causation,
            payloadVersion,
            flags,
            extensions,
            payload.size(),
            content,
            prev,
            event);
    return new ReceiptDocument(receipt, Optional.of(header), Optional.of(payload));
  }

  private static Bytes hexValue(String path, Object v, int size) {
    if (!(v instanceof String s)) {
      throw new ReceiptJsonException(path, "must be a string of " + 2 * size + " hex digits");
    }
    if (s.length() != 2 * size || !s.equals(s.toLowerCase(java.util.Locale.ROOT))) {
      throw new ReceiptJsonException(
          path, "must be " + 2 * size + " lowercase hex digits, got " + s.length() + " characters");
    }
    try {
      return Bytes.ofOwned(HEX.parseHex(s));
    } catch (IllegalArgumentException x) {
      throw new ReceiptJsonException(path, "not hex: " + Json.quote(s));
    }
  }

  /** A JSON object being read: typed members by name, and every member must be read. */
  private static final class Obj {
    private final Map<String, Object> members;
    private final String path;
    private final Set<String> read = new HashSet<>();

    private Obj(Map<String, Object> members, String path) {
      this.members = members;
      this.path = path;
    }

    @SuppressWarnings("unchecked")
    static Obj of(Object v, String path) {
      if (!(v instanceof Map)) {
        throw new ReceiptJsonException(path, "must be a JSON object");
      }
      return new Obj((Map<String, Object>) v, path);
    }

    String path(String name) {
      return path.equals("$") ? name : path + "." + name;
    }

    boolean has(String name) {
      return members.containsKey(name);
    }

    Set<String> names() {
      return members.keySet();
    }

    private Object get(String name) {
      if (!members.containsKey(name)) {
        throw new ReceiptJsonException(path(name), "is missing");
      }
      read.add(name);
      return members.get(name);
    }

    boolean isNull(String name) {
      if (!members.containsKey(name)) {
        throw new ReceiptJsonException(path(name), "is missing (write null when absent)");
      }
      if (members.get(name) == Json.NULL) {
        read.add(name);
        return true;
      }
      return false;
    }

    String string(String name) {
      Object v = get(name);
      if (!(v instanceof String s)) {
        throw new ReceiptJsonException(path(name), "must be a string");
      }
      return s;
    }

    long integer(String name, long min, long max) {
      Object v = get(name);
      if (!(v instanceof Long n)) {
        throw new ReceiptJsonException(path(name), "must be an integer");
      }
      if (n < min || n > max) {
        throw new ReceiptJsonException(
            path(name), "must be between " + min + " and " + max + ", got " + n);
      }
      return n;
    }

    Obj object(String name) {
      return Obj.of(get(name), path(name));
    }

    @SuppressWarnings("unchecked")
    List<Object> array(String name) {
      Object v = get(name);
      if (!(v instanceof List)) {
        throw new ReceiptJsonException(path(name), "must be an array");
      }
      return (List<Object>) v;
    }

    Bytes hash(String name, int size) {
      return hexValue(path(name), get(name), size);
    }

    Bytes base64(String name) {
      String s = string(name);
      try {
        return Bytes.ofOwned(Base64.getDecoder().decode(s));
      } catch (IllegalArgumentException x) {
        throw new ReceiptJsonException(
            path(name), "not base64 (RFC 4648, with padding): " + x.getMessage());
      }
    }

    <T> T parsed(String name, java.util.function.Function<String, T> parser) {
      String s = string(name);
      try {
        return parser.apply(s);
      } catch (StoreException x) {
        throw new ReceiptJsonException(path(name), x.getMessage());
      }
    }

    void done() {
      for (String name : members.keySet()) {
        if (!read.contains(name)) {
          throw new ReceiptJsonException(path(name), "is not a member of this object");
        }
      }
    }
  }
}
