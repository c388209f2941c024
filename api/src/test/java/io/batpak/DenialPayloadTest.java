package io.batpak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The denial payload's version-1 encoding: a pinned vector, round trips, and refusals. */
class DenialPayloadTest {
  /** The vector of docs/gates.md, "Denial events". */
  static final String VECTOR =
      "4250444e01102020"
          + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
          + "000000066f7264657273"
          + "0003"
          + "010000000461757468"
          + "02000000056c696d697400000007544f4f5f42494700000006333e313030300001000000056c696d6974000000043130303003000000056672617564";

  static DenialPayload example() {
    byte[] hash = new byte[32];
    for (int i = 0; i < 32; i++) {
      hash[i] = (byte) i;
    }
    return new DenialPayload(
        List.of(
            new GateOutcome.Permitted("auth"),
            new GateOutcome.Denied(
                new Denial("limit", "TOO_BIG", "3>1000", Map.of("limit", "1000"))),
            new GateOutcome.Skipped("fraud")),
        EventKind.custom(1, 0x20),
        Bytes.ofOwned(hash),
        "orders");
  }

  @Test
  void theVersionOneVectorIsPinned() {
    assertEquals(VECTOR, example().encode().toHex());
    assertEquals(example(), DenialPayload.decode(Bytes.fromHex(VECTOR)));
  }

  @Test
  void seededPayloadsRoundTrip() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int n = 0; n < 500; n++) {
      int gates = 1 + r.nextInt(6);
      int denied = r.nextInt(gates);
      List<GateOutcome> outcomes = new java.util.ArrayList<>();
      for (int g = 0; g < gates; g++) {
        String name = "g" + g + text(r, 4);
        if (g < denied) {
          outcomes.add(new GateOutcome.Permitted(name));
        } else if (g == denied) {
          Map<String, String> ctx = new LinkedHashMap<>();
          for (int k = r.nextInt(4); k > 0; k--) {
            ctx.put(text(r, 6), text(r, 20));
          }
          outcomes.add(
              new GateOutcome.Denied(new Denial(name, "C" + text(r, 5), text(r, 60), ctx)));
        } else {
          outcomes.add(new GateOutcome.Skipped(name));
        }
      }
      byte[] hash = new byte[r.nextBoolean() ? 32 : 0];
      r.nextBytes(hash);
      DenialPayload p =
          new DenialPayload(
              outcomes, EventKind.fromRaw(r.nextInt(0x10000)), Bytes.of(hash), text(r, 8));
      DenialPayload back = DenialPayload.decode(p.encode());
      assertEquals(p, back, "seed " + seed);
      assertEquals(
          List.copyOf(p.denial().context().keySet()),
          List.copyOf(back.denial().context().keySet()),
          "context order, seed " + seed);
    }
  }

  private static String text(Random r, int max) {
    StringBuilder b = new StringBuilder();
    for (int i = r.nextInt(max + 1); i > 0; i--) {
      b.appendCodePoint(r.nextInt(4) == 0 ? 0x00e0 + r.nextInt(64) : 'a' + r.nextInt(26));
    }
    return b.toString();
  }

  @Test
  void damagedPayloadsAreCodecErrorsThatSayWhere() {
    byte[] good = Bytes.fromHex(VECTOR).toByteArray();
    for (int cut = 0; cut < good.length; cut++) {
      byte[] shorter = java.util.Arrays.copyOf(good, cut);
      assertThrows(
          CodecException.class, () -> DenialPayload.decode(Bytes.of(shorter)), "cut " + cut);
    }
    byte[] magic = good.clone();
    magic[0] = 'X';
    assertTrue(
        assertThrows(CodecException.class, () -> DenialPayload.decode(Bytes.of(magic)))
            .getMessage()
            .contains("magic"));
    byte[] version = good.clone();
    version[4] = 2;
    assertTrue(
        assertThrows(CodecException.class, () -> DenialPayload.decode(Bytes.of(version)))
            .getMessage()
            .contains("version 2"));
    byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
    assertTrue(
        assertThrows(CodecException.class, () -> DenialPayload.decode(Bytes.of(longer)))
            .getMessage()
            .contains("follow the last outcome"));
    byte[] tag = good.clone();
    tag[52] = 9; // the first outcome's tag
    assertTrue(
        assertThrows(CodecException.class, () -> DenialPayload.decode(Bytes.of(tag)))
            .getMessage()
            .contains("tag 9"));
  }

  @Test
  void aPayloadNeedsADenialAndAHashOfThirtyTwoBytesOrNone() {
    assertThrows(
        ValidationException.class,
        () ->
            new DenialPayload(
                List.of(new GateOutcome.Permitted("a")), EventKind.DATA, Bytes.empty(), ""));
    assertThrows(
        ValidationException.class,
        () ->
            new DenialPayload(
                List.of(new GateOutcome.Denied(new Denial("a", "X", "m", Map.of()))),
                EventKind.DATA,
                Bytes.of(new byte[5]),
                ""));
  }
}
