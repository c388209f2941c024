package io.batpak.gate;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.Bytes;
import io.batpak.EventHeader;
import io.batpak.ExtensionKey;
import io.batpak.ValidationException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Why a proposal was committed without passing its gates ({@link Pipeline#bypass}), and who said
 * so. Stored on the committed event as three extensions in the store's reserved namespace ({@link
 * ExtensionKey#BYPASS_REASON}, {@link ExtensionKey#BYPASS_JUSTIFICATION}, {@link
 * ExtensionKey#BYPASS_APPROVER}, UTF-8), covered by the event's hash like every extension, and read
 * back from any header with {@link #of(EventHeader)}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param reason a short name for the kind of bypass, e.g. {@code INCIDENT_4711}
 * @param justification why, for the auditor
 * @param approver who approved it
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public record BypassAudit(String reason, String justification, String approver) {
  /** The longest field, in UTF-8 bytes: {@value}. */
  public static final int MAX_FIELD_BYTES = 4096;

  /**
   * Validates.
   *
   * @throws NullPointerException if a component is null
   * @throws ValidationException if a component is blank or longer than {@value #MAX_FIELD_BYTES}
   *     bytes
   */
  public BypassAudit {
    check("reason", reason);
    check("justification", justification);
    check("approver", approver);
  }

  private static void check(String name, String value) {
    Objects.requireNonNull(value, name);
    if (value.isBlank() || Bytes.utf8(value).size() > MAX_FIELD_BYTES) {
      throw new ValidationException(
          "a bypass audit's "
              + name
              + " must be 1 to "
              + MAX_FIELD_BYTES
              + " bytes and not blank, got \""
              + value
              + "\"; an audited bypass names its reason, justification and approver");
    }
  }

  /** The three extensions this audit is stored as. */
  public Map<ExtensionKey, Bytes> extensions() {
    return Map.of(
        ExtensionKey.BYPASS_REASON, Bytes.utf8(reason),
        ExtensionKey.BYPASS_JUSTIFICATION, Bytes.utf8(justification),
        ExtensionKey.BYPASS_APPROVER, Bytes.utf8(approver));
  }

  /**
   * The audit stored on an event, or empty if it was not committed through a bypass.
   *
   * @throws NullPointerException if {@code header} is null
   * @throws ValidationException if only some of the three extensions are there, or one is invalid
   */
  public static Optional<BypassAudit> of(EventHeader header) {
    Objects.requireNonNull(header, "header");
    Map<ExtensionKey, Bytes> ext = header.extensions();
    Bytes r = ext.get(ExtensionKey.BYPASS_REASON);
    Bytes j = ext.get(ExtensionKey.BYPASS_JUSTIFICATION);
    Bytes a = ext.get(ExtensionKey.BYPASS_APPROVER);
    if (r == null && j == null && a == null) {
      return Optional.empty();
    }
    if (r == null || j == null || a == null) {
      throw new ValidationException(
          "event "
              + header.eventId()
              + " carries only some of the bypass audit extensions "
              + ext.keySet()
              + "; an audit has all three");
    }
    return Optional.of(new BypassAudit(r.toUtf8(), j.toUtf8(), a.toUtf8()));
  }
}
