package io.batpak.engine.internal.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.ReceiptSigningException;
import io.batpak.StoreConfig;
import io.batpak.engine.internal.format.EventRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The signing thread's contract: exactly one of signed/failed is called; a failing signer fails the
 * group with a {@link ReceiptSigningException} that names the committed global sequences; the
 * receipts of a group share one root and signature and each proof verifies.
 */
class GroupSignerTest {
  private static List<List<EventRecord>> answers() {
    EventRecord e = SigningVectorsTest.vectorEvent();
    return List.of(List.of(e), List.of(e, e));
  }

  @Test
  void aFailingSignerFailsTheGroupAndNamesItsEvents() {
    AtomicReference<Object> outcome = new AtomicReference<>();
    List<String> calls = new ArrayList<>();
    GroupSigner g =
        new GroupSigner(
            a -> {
              throw new IllegalStateException("the signer broke");
            },
            Runnable::run);
    g.sign(
        answers(),
        signed -> {
          calls.add("signed");
          outcome.set(signed);
        },
        failed -> {
          calls.add("failed");
          outcome.set(failed);
        });
    assertEquals(List.of("failed"), calls);
    ReceiptSigningException e = assertInstanceOf(ReceiptSigningException.class, outcome.get());
    assertTrue(e.getMessage().contains("global sequences 42 to 42"), e.getMessage());
    assertTrue(e.getMessage().contains("committed"), e.getMessage());
    assertTrue(e.getMessage().contains("not poisoned"), e.getMessage());
    assertInstanceOf(IllegalStateException.class, e.getCause());
  }

  @Test
  void aGroupSharesOneSignatureAndEachReceiptHasItsLeaf() {
    byte[] seed = SigningVectorsTest.seed();
    KeyRing keys =
        KeyRing.of(StoreConfig.builder(Path.of("unused")).signingKey(Bytes.of(seed)).build());
    List<List<AppendReceipt>> out = new ArrayList<>();
    new GroupSigner(keys, Runnable::run).sign(answers(), out::addAll, f -> {});
    assertEquals(2, out.size());
    assertEquals(1, out.get(0).size());
    assertEquals(2, out.get(1).size());
    int leaf = 0;
    for (List<AppendReceipt> rs : out) {
      for (AppendReceipt r : rs) {
        var s = r.signature().orElseThrow();
        assertEquals(leaf++, s.leafIndex());
        assertEquals(3, s.leafCount());
        assertEquals(out.get(0).get(0).signature().get().signature(), s.signature());
        assertEquals(
            null,
            new SignatureChecks(keys).check(r, SigningVectorsTest.vectorEvent()),
            "leaf " + s.leafIndex());
      }
    }
  }
}
