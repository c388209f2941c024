package io.batpak.verify;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.EventHeader;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * A receipt JSON document read by {@link ReceiptJson#read}: the receipt, and, when the document
 * embeds the event, its header (whose id, sequences and hashes are the receipt's) and payload.
 *
 * @param receipt the receipt
 * @param header the event's header, when the document has an {@code event} member
 * @param payload the event's payload bytes, likewise
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record ReceiptDocument(
    AppendReceipt receipt, Optional<EventHeader> header, Optional<Bytes> payload) {

  /** Checks for nulls and that header and payload come together. */
  public ReceiptDocument {
    Objects.requireNonNull(receipt, "receipt");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(payload, "payload");
    if (header.isPresent() != payload.isPresent()) {
      throw new IllegalArgumentException(
          "a receipt document has both header and payload or neither");
    }
  }

  /** Whether the event is embedded. */
  public boolean hasEvent() {
    return header.isPresent();
  }
}
