// sample:tiny
package com.example.tiny;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.spi.Codec;
import io.batpak.spi.CodecProvider;
import java.nio.file.Path;

/** Makes codec "tiny" available; ServiceLoader creates it through the no-argument constructor. */
public final class TinyCodecProvider implements CodecProvider {
  @Override
  public String name() {
    return "tiny";
  }

  @Override
  public Codec create() {
    return new TinyCodec();
  }
}

/** Strings as UTF-8 bytes: deterministic, stateless, so thread-safe. */
final class TinyCodec implements Codec {
  @Override
  public String name() {
    return "tiny";
  }

  @Override
  public Bytes encode(Object value) {
    if (!(value instanceof String s)) {
      throw new CodecException(
          "tiny codec encodes strings only, got a " + value.getClass().getName());
    }
    return Bytes.utf8(s);
  }

  @Override
  public <T> T decode(Bytes bytes, Class<T> type) {
    if (type != String.class && type != Object.class) {
      throw new CodecException("tiny codec decodes strings only, asked for " + type.getName());
    }
    return type.cast(bytes.toUtf8());
  }
}

final class TinyDemo {
  public static void main(String[] args) {
    Coordinate greeting = Coordinate.of("greeting-1", "demo");
    AppendReceipt r;
    try (Store store = Store.open(StoreConfig.builder(Path.of("data")).codec("tiny").build())) {
      r = store.appendEncoded(greeting, EventKind.custom(1, 1), "hello, wörld");
    }
    try (Store store = Store.open(StoreConfig.builder(Path.of("data")).build())) {
      assert store.openReport().codec().equals("tiny");
      assert store.get(r.eventId(), String.class).equals("hello, wörld");
      System.out.println(store.get(r.eventId()).payload().toUtf8());
    }
  }
}
// end-sample:tiny
