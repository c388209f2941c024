package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.ExtensionKey;
import io.batpak.IdempotencyConflictException;
import io.batpak.IdempotencyKey;
import io.batpak.ValidationException;
import io.batpak.test.BatpakTest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The entry and reply encodings: round trips, and a typed refusal of every malformed input. */
@BatpakTest
class EntriesTest {

  private static Entries.Append randomAppend(Random r) {
    int type =
        switch (r.nextInt(3)) {
          case 0 -> Entries.APPEND_DENIAL;
          case 1 -> Entries.APPEND_TYPED;
          default -> Entries.APPEND;
        };
    int n = type == Entries.APPEND ? 1 + r.nextInt(4) : 1;
    List<Entries.Item> items = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] payload = new byte[r.nextInt(64)];
      r.nextBytes(payload);
      ExpectedVersion ev =
          switch (r.nextInt(3)) {
            case 0 -> ExpectedVersion.any();
            case 1 -> ExpectedVersion.noStream();
            default -> ExpectedVersion.exactly(r.nextInt(1000));
          };
      AppendOptions o =
          AppendOptions.defaults()
              .withExpectedVersion(ev)
              .withIdempotencyKey(IdempotencyKey.of(r.nextLong(), r.nextLong()))
              .withFlags(r.nextInt(256));
      if (r.nextBoolean()) {
        o = o.withCorrelation(CorrelationId.of(r.nextLong(), r.nextLong()));
      }
      if (r.nextBoolean()) {
        o = o.withCausation(CausationId.of(r.nextLong(), r.nextLong()));
      }
      if (r.nextBoolean()) {
        o = o.withExtension(ExtensionKey.of("app.k" + r.nextInt(9)), Bytes.utf8("v" + r.nextInt()));
      }
      if (r.nextInt(4) == 0) {
        // A bypass audit's store-defined keys, which ExtensionKey.of refuses to make.
        o = o.withExtension(ExtensionKey.BYPASS_REASON, Bytes.utf8("why " + r.nextInt()));
      }
      items.add(
          new Entries.Item(
              Coordinate.of("entity-" + r.nextInt(100), "scope"),
              EventKind.custom(1, 1 + r.nextInt(100)),
              Bytes.of(payload),
              o,
              i > 0 && r.nextBoolean() ? r.nextInt(i) : -1));
    }
    byte[] hash = new byte[32];
    r.nextBytes(hash);
    return new Entries.Append(
        new ReplicaHead(r.nextInt(1000), r.nextInt(1000), Bytes.of(hash)),
        r.nextLong(),
        items,
        type,
        type == Entries.APPEND_TYPED ? 1 + r.nextInt(9) : 0);
  }

  @Test
  void appendEntriesRoundTrip(Random random) {
    for (int i = 0; i < 200; i++) {
      Entries.Append a = randomAppend(random);
      byte[] bytes = Entries.encodeAppend(a);
      assertEquals(a.type(), Entries.type(bytes));
      assertEquals(a, Entries.decodeAppend(bytes));
    }
  }

  @Test
  void repliesRoundTripWithTheirTypedRefusals() {
    AppendReceipt receipt =
        new AppendReceipt(
            EventId.of(1, 2),
            3,
            4,
            Bytes.of(new byte[32]),
            Bytes.of(new byte[32]),
            Bytes.of(new byte[32]));
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) 5);
    AppendReceipt signed =
        new AppendReceipt(
            EventId.of(5, 6),
            7,
            0,
            Bytes.of(b),
            Bytes.of(b),
            Bytes.of(new byte[32]),
            java.util.Optional.of(
                new io.batpak.ReceiptSignature(
                    1,
                    Bytes.of(b),
                    Bytes.of(new byte[64]),
                    Bytes.of(b),
                    1,
                    3,
                    List.of(Bytes.of(b), Bytes.of(new byte[32])))));
    Entries.Reply ok = new Entries.Ok(2, 9, List.of(receipt, signed));
    assertEquals(ok, Entries.decodeReply(Entries.encodeReply(ok)));
    Entries.Rejected conflict =
        (Entries.Rejected)
            Entries.decodeReply(
                Entries.encodeReply(
                    new Entries.Rejected(
                        2, 10, new ConcurrencyConflictException("s", "version 4", 2))));
    ConcurrencyConflictException c =
        assertInstanceOf(ConcurrencyConflictException.class, conflict.error());
    assertEquals("s", c.entity());
    assertEquals("version 4", c.expected());
    assertEquals(2, c.actualNextSequence());
    Entries.Rejected idem =
        (Entries.Rejected)
            Entries.decodeReply(
                Entries.encodeReply(
                    new Entries.Rejected(
                        2, 11, new IdempotencyConflictException("other content"))));
    assertInstanceOf(IdempotencyConflictException.class, idem.error());
    assertEquals("other content", idem.error().getMessage());
    assertEquals(
        new Entries.Replayed(3, 12),
        Entries.decodeReply(Entries.encodeReply(new Entries.Replayed(3, 12))));
  }

  @Test
  void malformedEntriesAreRefusedWithTypedErrors(Random random) {
    ValidationException version =
        assertThrows(ValidationException.class, () -> Entries.type(new byte[] {9, 1}));
    assertTrue(version.getMessage().contains("version 9"), version.getMessage());
    assertThrows(ValidationException.class, () -> Entries.type(new byte[0]));
    byte[] bytes = Entries.encodeAppend(randomAppend(random));
    for (int cut = 2; cut < bytes.length; cut += 1 + bytes.length / 20) {
      byte[] shorter = Arrays.copyOf(bytes, cut);
      assertThrows(ValidationException.class, () -> Entries.decodeAppend(shorter), "cut at " + cut);
    }
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    ValidationException extra =
        assertThrows(ValidationException.class, () -> Entries.decodeAppend(longer));
    assertTrue(extra.getMessage().contains("1 bytes left over"), extra.getMessage());
    byte[] status = {7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    ValidationException unknown =
        assertThrows(ValidationException.class, () -> Entries.decodeReply(status));
    assertTrue(unknown.getMessage().contains("unknown status 7"), unknown.getMessage());
    assertArrayEquals(new byte[] {Entries.VERSION, Entries.QUERY_HEAD}, Entries.encodeHeadQuery());
  }

  @Test
  void groupEntriesAndTheirRepliesRoundTripAndBadOnesAreRefused(Random random) {
    List<byte[]> parts = new java.util.ArrayList<>();
    for (int i = 0; i < 1 + random.nextInt(20); i++) {
      parts.add(Entries.encodeAppend(randomAppend(random)));
    }
    byte[] group = Entries.encodeGroup(parts);
    assertEquals(Entries.GROUP, Entries.type(group));
    List<byte[]> decoded = Entries.decodeGroup(group);
    assertEquals(parts.size(), decoded.size());
    for (int i = 0; i < parts.size(); i++) {
      assertArrayEquals(parts.get(i), decoded.get(i), "part " + (i + 1));
    }
    for (int cut = 2; cut < group.length; cut += 1 + group.length / 20) {
      byte[] shorter = Arrays.copyOf(group, cut);
      assertThrows(ValidationException.class, () -> Entries.decodeGroup(shorter), "cut at " + cut);
    }
    for (int count : new int[] {0, -1, Entries.MAX_GROUP_PARTS + 1}) {
      byte[] bad = group.clone();
      java.nio.ByteBuffer.wrap(bad, 2, 4).putInt(count);
      ValidationException e =
          assertThrows(ValidationException.class, () -> Entries.decodeGroup(bad));
      assertTrue(e.getMessage().contains("says " + count), e.getMessage());
    }
    byte[] badLength = group.clone();
    java.nio.ByteBuffer.wrap(badLength, 6, 4).putInt(-5);
    assertThrows(ValidationException.class, () -> Entries.decodeGroup(badLength));
    Entries.Reply grouped =
        new Entries.Grouped(
            4,
            17,
            List.of(
                new Entries.Ok(4, 17, List.of()),
                new Entries.Replayed(4, 17),
                new Entries.Rejected(
                    4, 17, new ConcurrencyConflictException("g", "version 1", 5))));
    Entries.Grouped back =
        assertInstanceOf(Entries.Grouped.class, Entries.decodeReply(Entries.encodeReply(grouped)));
    assertEquals(4, back.term());
    assertEquals(17, back.index());
    assertEquals(3, back.parts().size());
    assertEquals(new Entries.Replayed(4, 17), back.parts().get(1));
    assertInstanceOf(
        ConcurrencyConflictException.class,
        assertInstanceOf(Entries.Rejected.class, back.parts().get(2)).error());
  }

  @Test
  void compactionEntriesAndRepliesRoundTripAndNameTheirRejectedEvents(Random random) {
    for (int round = 0; round < 50; round++) {
      int n = random.nextInt(20);
      long[] ranges = new long[2 * n];
      java.util.Set<Long> rejected = new java.util.HashSet<>();
      long at = random.nextInt(3);
      for (int i = 0; i < n; i++) {
        ranges[2 * i] = at;
        ranges[2 * i + 1] = at + 1 + random.nextInt(4);
        for (long g = ranges[2 * i]; g < ranges[2 * i + 1]; g++) {
          rejected.add(g);
        }
        at = ranges[2 * i + 1] + 1 + random.nextInt(3);
      }
      long cut = at + random.nextInt(5);
      Entries.Compact c = new Entries.Compact(random.nextBoolean(), random.nextInt(3), cut, ranges);
      byte[] bytes = Entries.encodeCompact(c);
      assertEquals(Entries.COMPACT, Entries.type(bytes));
      assertEquals(c, Entries.decodeCompact(bytes));
      for (long g = 0; g < cut + 3; g++) {
        assertEquals(g >= cut || !rejected.contains(g), c.keeps(g), "global sequence " + g);
      }
    }
    io.batpak.CompactionResult result =
        new io.batpak.CompactionResult(
            io.batpak.CompactionResult.Outcome.PERFORMED, "done", 5, 2, 10, 3, 0, 900, 400);
    assertEquals(
        new Entries.Compacted(4, 20, result),
        Entries.decodeReply(Entries.encodeReply(new Entries.Compacted(4, 20, result))));
  }
}
