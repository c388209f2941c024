package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
  @TempDir Path dir;

  @Test
  void appendReadReopen() {
    EventKind kind = EventKind.custom(1, 1);
    AppendReceipt r;
    try (Store s = Store.open(StoreConfig.builder(dir).build())) {
      r = s.append(Coordinate.of("order:1", "shop"), kind, Bytes.utf8("{\"a\":1}"));
      s.append(Coordinate.of("order:1", "shop"), kind, Bytes.utf8("{\"a\":2}"));
      assertEquals(2, StoreFixtures.query(s, Region.all()).size());
      assertTrue(s.verifyReceipt(r).isValid(), s.verifyReceipt(r).toString());
    }
    try (Store s = Store.open(StoreConfig.builder(dir).build())) {
      assertEquals(2, s.stream("order:1").size());
      assertTrue(s.verifyReceipt(r).isValid(), s.verifyReceipt(r).toString());
      assertEquals("{\"a\":1}", s.get(r.eventId()).payload().toUtf8());
      System.out.println(s.openReport());
    }
  }
}
