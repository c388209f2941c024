package io.batpak.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The receipt JSON form: what is written reads back equal (with and without the event), and every
 * malformed document is refused with the offending field named.
 */
class ReceiptJsonTest {
  private static final String DOC =
      ReceiptJson.write(Vectors.signedReceipt(), Vectors.header(), Vectors.PAYLOAD);

  @Test
  void writtenDocumentsReadBackEqual() {
    ReceiptDocument d = ReceiptJson.read(DOC);
    assertEquals(Vectors.signedReceipt(), d.receipt());
    assertEquals(Vectors.header(), d.header().orElseThrow());
    assertEquals(Vectors.PAYLOAD, d.payload().orElseThrow());
    ReceiptDocument alone = ReceiptJson.read(ReceiptJson.write(Vectors.signedReceipt()));
    assertEquals(Vectors.signedReceipt(), alone.receipt());
    assertFalse(alone.hasEvent());
    AppendReceipt unsigned = Vectors.header().toReceipt();
    assertEquals(unsigned, ReceiptJson.read(ReceiptJson.write(unsigned)).receipt());
    assertTrue(
        ReceiptVerifier.of(java.util.List.of(Vectors.PUBLIC_KEY))
            .verify(d.receipt(), d.header().get(), d.payload().get())
            .isValid());
  }

  @Test
  void everyMalformedDocumentNamesItsField() {
    Map<String, String> cases =
        Map.ofEntries(
            Map.entry(
                "receipt.globalSequence",
                DOC.replace("\"globalSequence\": 42", "\"globalSequence\": 42.0")),
            Map.entry(
                "receipt.streamSequence",
                DOC.replace("\"streamSequence\": 3", "\"streamSequence\": -3")),
            Map.entry("receipt.contentHash", DOC.replace("f50d4bce", "f50d4bc")),
            Map.entry("receipt.eventHash", DOC.replace("5d2e3f9b", "5D2E3F9B")),
            Map.entry("receipt.signature.siblings[1]", DOC.replace("\"0013f4c8", "\"zz13f4c8")),
            Map.entry(
                "receipt.signature.leafIndex", DOC.replace("\"leafIndex\": 0", "\"leafIndex\": 3")),
            Map.entry(
                "receipt.signature.extra",
                DOC.replace("\"leafIndex\": 0", "\"leafIndex\": 0, \"extra\": 1")),
            Map.entry(
                "receipt.eventId", DOC.replace("\"eventId\": \"event:", "\"eventId\": \"evnt:")),
            Map.entry("receipt.prevHash", DOC.replace("\"prevHash\"", "\"prevHsh\"")),
            Map.entry(
                "receipt.signature.root", DOC.replace("\"root\"", "\"root\": \"00\", \"root\"")),
            Map.entry("event.payload", DOC.replace("\"payload\": \"", "\"payload\": \"*")),
            Map.entry("event.kind", DOC.replace("\"kind\": 4097", "\"kind\": 65536")),
            Map.entry(
                "event.extensions.app.tenant",
                DOC.replace("\"app.tenant\": \"", "\"app.tenant\": \"!")),
            Map.entry("format", DOC.replace("batpak.receipt", "batpak.receit")),
            Map.entry(
                "version",
                DOC.replace("\"version\": 1,\n  \"receipt\"", "\"version\": 2,\n  \"receipt\"")),
            Map.entry("$", DOC + "x"),
            Map.entry("event.flags", DOC.replace("\"flags\": 1", "\"flags\": 01")));
    for (Map.Entry<String, String> c : cases.entrySet()) {
      ReceiptJsonException e =
          assertThrows(
              ReceiptJsonException.class, () -> ReceiptJson.read(c.getValue()), c.getKey());
      assertEquals(c.getKey(), e.field(), e.getMessage());
      assertTrue(e.getMessage().startsWith(c.getKey() + ": "), e.getMessage());
    }
    assertEquals(
        "receipt",
        assertThrows(
                ReceiptJsonException.class,
                () -> ReceiptJson.read("{\"format\": \"batpak.receipt\", \"version\": 1}"))
            .field());
    assertThrows(ReceiptJsonException.class, () -> ReceiptJson.read(""));
    assertThrows(ReceiptJsonException.class, () -> ReceiptJson.read("[".repeat(40)));
  }

  /** The example document of docs/receipts.md reads, and is the signed-valid vector receipt. */
  @Test
  void theDocumentedExampleIsTheVectorReceipt() throws Exception {
    String md =
        java.nio.file.Files.readString(
            java.nio.file.Path.of("..", "docs", "receipts.md"),
            java.nio.charset.StandardCharsets.UTF_8);
    int section = md.indexOf("## The JSON form");
    int start = md.indexOf("```json\n", section) + "```json\n".length();
    String json = md.substring(start, md.indexOf("```", start));
    ReceiptDocument d = ReceiptJson.read(json);
    assertEquals(Vectors.signedReceipt(), d.receipt());
    assertEquals(Vectors.header(), d.header().orElseThrow());
    assertEquals(
        new Verdict.SignedValid(Vectors.KEY_ID),
        ReceiptVerifier.of(java.util.List.of(Vectors.PUBLIC_KEY))
            .verify(d.receipt(), d.header().get(), d.payload().get()));
  }

  @Test
  void stringsWithEscapesRoundTrip() {
    assertEquals("a\"b\\c\n\u0001é", Json.parse(Json.quote("a\"b\\c\n\u0001é")));
    assertEquals("é", Json.parse("\"\\u00e9\""));
  }
}
