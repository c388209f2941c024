package io.batpak.verify;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A receipt JSON document ({@code docs/receipts.md}) is malformed: not JSON, a missing, unknown,
 * duplicated or mistyped field, or a value out of range. The message and {@link #field()} name the
 * offending field by its path (for example {@code receipt.signature.siblings[2]}).
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public class ReceiptJsonException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  /**
   * Creates the exception.
   *
   * @param field the path of the offending field ({@code $} for the document itself)
   * @param message what is wrong with it and what was expected
   */
  public ReceiptJsonException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  /** The path of the offending field, {@code $} for the whole document. */
  public String field() {
    return field;
  }
}
