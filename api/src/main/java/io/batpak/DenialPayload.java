package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The payload of a denial event ({@link EventKind#SYSTEM_DENIAL}, written by {@link
 * Store#appendDenial}): each gate's outcome in order, the kind that was proposed, the content hash
 * of the payload that was proposed, and the name of the pipeline that ran the gates.
 *
 * <h2>Encoding, version 1</h2>
 *
 * Big-endian, as the journal (docs/gates.md, "Denial events", has the table and a test vector):
 * magic {@code "BPDN"} (4 bytes), version {@code 1} (1 byte), proposed kind (2), content-hash
 * length (1, 0 or 32) and hash, pipeline (string), outcome count (2), then per outcome a tag (1:
 * {@code 1} permitted, {@code 2} denied, {@code 3} skipped) and the gate name (string); a denied
 * outcome adds its code, its message (strings), a context count (2) and each key and value
 * (strings). A string is its UTF-8 length (4) and bytes. Nothing follows the last outcome.
 *
 * <p>Thread-safety: immutable.
 *
 * @param outcomes each gate's outcome, in the order the gates ran; at least one is {@link
 *     GateOutcome.Denied}
 * @param proposedKind the kind of the event that was refused
 * @param proposedContentHash BLAKE3 of the refused payload (what its receipt's content hash would
 *     have been; {@link GateDeniedException#proposedContentHash()}), or empty when unknown
 * @param pipeline the name of what ran the gates (a pipeline, a service), or empty
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public record DenialPayload(
    List<GateOutcome> outcomes,
    EventKind proposedKind,
    Bytes proposedContentHash,
    String pipeline) {

  /** The encoding's magic, {@value}. */
  public static final String MAGIC = "BPDN";

  /** The encoding version this build writes and reads: {@value}. */
  public static final int VERSION = 1;

  private static final int MAX_OUTCOMES = 0xFFFF;

  /**
   * Validates and copies.
   *
   * @throws NullPointerException if a component or an outcome is null
   * @throws ValidationException if no outcome is a denial, there are more than 65535, or the hash
   *     is neither empty nor 32 bytes
   */
  public DenialPayload {
    Objects.requireNonNull(outcomes, "outcomes");
    for (int i = 0; i < outcomes.size(); i++) {
      Objects.requireNonNull(outcomes.get(i), "outcomes[" + i + "]");
    }
    outcomes = List.copyOf(outcomes);
    Objects.requireNonNull(proposedKind, "proposedKind");
    Objects.requireNonNull(proposedContentHash, "proposedContentHash");
    Objects.requireNonNull(pipeline, "pipeline");
    if (outcomes.stream().noneMatch(o -> o instanceof GateOutcome.Denied)) {
      throw new ValidationException(
          "a denial payload needs at least one denied outcome, got " + outcomes);
    }
    if (outcomes.size() > MAX_OUTCOMES) {
      throw new ValidationException(
          "a denial payload holds at most " + MAX_OUTCOMES + " outcomes, got " + outcomes.size());
    }
    if (!proposedContentHash.isEmpty() && proposedContentHash.size() != 32) {
      throw new ValidationException(
          "proposedContentHash must be 32 bytes (BLAKE3) or empty, got "
              + proposedContentHash.size());
    }
  }

  /**
   * The payload for an atomic gate's refusal: its denial as the only outcome, with the proposed
   * kind and content hash the exception carries.
   *
   * @param pipeline what ran the gate, or empty
   */
  public static DenialPayload of(GateDeniedException refused, String pipeline) {
    Objects.requireNonNull(refused, "refused");
    return new DenialPayload(
        List.of(new GateOutcome.Denied(refused.denial())),
        refused.proposedKind(),
        refused.proposedContentHash(),
        pipeline);
  }

  /** The first denial of the outcomes. */
  public Denial denial() {
    for (GateOutcome o : outcomes) {
      if (o instanceof GateOutcome.Denied d) {
        return d.denial();
      }
    }
    throw new IllegalStateException("unreachable: the constructor requires a denial");
  }

  /** The version-1 encoding (the payload of a denial event). */
  public Bytes encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(MAGIC.getBytes(StandardCharsets.US_ASCII));
    out.write(VERSION);
    u16(out, proposedKind.raw());
    out.write(proposedContentHash.size());
    out.writeBytes(proposedContentHash.toByteArray());
    string(out, pipeline);
    u16(out, outcomes.size());
    for (GateOutcome o : outcomes) {
      if (o instanceof GateOutcome.Permitted) {
        out.write(1);
        string(out, o.gate());
      } else if (o instanceof GateOutcome.Denied d) {
        out.write(2);
        Denial denial = d.denial();
        string(out, denial.gate());
        string(out, denial.code());
        string(out, denial.message());
        u16(out, denial.context().size());
        for (Map.Entry<String, String> e : denial.context().entrySet()) {
          string(out, e.getKey());
          string(out, e.getValue());
        }
      } else {
        out.write(3);
        string(out, o.gate());
      }
    }
    return Bytes.ofOwned(out.toByteArray());
  }

  /**
   * Decodes a denial event's payload.
   *
   * @throws NullPointerException if {@code payload} is null
   * @throws CodecException if it is not a version-1 denial payload (the message says where and why)
   */
  public static DenialPayload decode(Bytes payload) {
    Objects.requireNonNull(payload, "payload");
    ByteBuffer in = payload.asReadOnlyBuffer();
    try {
      byte[] magic = new byte[4];
      in.get(magic);
      if (!MAGIC.equals(new String(magic, StandardCharsets.ISO_8859_1))) {
        throw bad(0, "magic is not \"" + MAGIC + "\" (0x" + Bytes.of(magic).toHex() + ")");
      }
      int version = in.get() & 0xFF;
      if (version != VERSION) {
        throw bad(4, "version " + version + ", this build reads version " + VERSION);
      }
      EventKind kind = EventKind.fromRaw(in.getShort() & 0xFFFF);
      int hashLength = in.get() & 0xFF;
      if (hashLength != 0 && hashLength != 32) {
        throw bad(7, "content-hash length " + hashLength + " (must be 0 or 32)");
      }
      byte[] hash = new byte[hashLength];
      in.get(hash);
      String pipeline = string(in);
      int count = in.getShort() & 0xFFFF;
      List<GateOutcome> outcomes = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int at = in.position();
        int tag = in.get() & 0xFF;
        String gate = string(in);
        switch (tag) {
          case 1:
            outcomes.add(new GateOutcome.Permitted(gate));
            break;
          case 3:
            outcomes.add(new GateOutcome.Skipped(gate));
            break;
          case 2:
            String code = string(in);
            String message = string(in);
            int n = in.getShort() & 0xFFFF;
            Map<String, String> context = new LinkedHashMap<>();
            for (int k = 0; k < n; k++) {
              context.put(string(in), string(in));
            }
            outcomes.add(new GateOutcome.Denied(new Denial(gate, code, message, context)));
            break;
          default:
            throw bad(at, "outcome " + i + " has tag " + tag + " (must be 1, 2 or 3)");
        }
      }
      if (in.hasRemaining()) {
        throw bad(in.position(), in.remaining() + " bytes follow the last outcome");
      }
      return new DenialPayload(outcomes, kind, Bytes.ofOwned(hash), pipeline);
    } catch (BufferUnderflowException e) {
      throw bad(payload.size(), "the payload ends early (" + payload.size() + " bytes)");
    } catch (ValidationException e) {
      throw new CodecException("not a valid denial payload: " + e.getMessage(), e);
    }
  }

  /**
   * Decodes the payload of a stored denial event.
   *
   * @throws ValidationException if {@code event} is not of kind {@link EventKind#SYSTEM_DENIAL}
   * @throws CodecException if its payload does not decode
   */
  public static DenialPayload of(StoredEvent event) {
    Objects.requireNonNull(event, "event");
    if (!event.header().kind().equals(EventKind.SYSTEM_DENIAL)) {
      throw new ValidationException(
          "event "
              + event.header().eventId()
              + " is of kind "
              + event.header().kind()
              + ", not a denial event ("
              + EventKind.SYSTEM_DENIAL
              + ")");
    }
    return decode(event.payload());
  }

  private static CodecException bad(int offset, String why) {
    return new CodecException("not a valid denial payload: at byte " + offset + ", " + why);
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  private static void string(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >>> 24);
    out.write(b.length >>> 16);
    out.write(b.length >>> 8);
    out.write(b.length);
    out.writeBytes(b);
  }

  private static String string(ByteBuffer in) {
    int at = in.position();
    int n = in.getInt();
    if (n < 0 || n > in.remaining()) {
      throw bad(at, "a string of " + n + " bytes, but " + in.remaining() + " remain");
    }
    byte[] b = new byte[n];
    in.get(b);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw bad(at + 4, "a string that is not UTF-8");
    }
  }
}
