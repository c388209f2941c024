package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.ProviderException;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.VerificationProgress;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.spi.StoreEngine;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a store written with {@code zstd}, opened by an engine that cannot use it (loaded in
 * its own class loader under {@link ApiOnlyClassLoader}, as in {@link CodecMessagesIT}): once
 * without {@code batpak-compress} at all, once with it but without the zstd-jni jar. The store
 * opens; events stored uncompressed read; reading a compressed payload, and opening with {@code
 * compression("zstd")}, are {@link ProviderException}s naming the compressor and the artifacts to
 * add. Messages are asserted in full.
 */
class CompressMessagesIT {

  private static final Path DIR = Path.of("/stores/orders");
  private static final Coordinate C = Coordinate.of("order-1", "shop");
  private static final EventKind KIND = EventKind.custom(1, 1);

  private final SimStoreFs fs = new SimStoreFs(8);
  private final List<URLClassLoader> loaders = new ArrayList<>();

  @AfterEach
  void closeLoaders() throws IOException {
    for (URLClassLoader l : loaders) {
      l.close();
    }
  }

  private StoreConfig.Builder config() {
    return StoreConfig.builder(DIR).fs(fs);
  }

  /** Opens {@code config} with an engine that sees {@code extra} besides itself and bcprov. */
  private Store openWith(StoreConfig config, Path... extra) throws Exception {
    List<URL> urls = new ArrayList<>();
    urls.add(TestClasspath.requireModule("engine").toUri().toURL());
    urls.add(TestClasspath.jar("bcprov-jdk18on").toUri().toURL());
    for (Path p : extra) {
      urls.add(p.toUri().toURL());
    }
    StoreEngine engine =
        ApiOnlyClassLoader.engineSeeing("restricted", urls, CompressMessagesIT.class, loaders);
    return engine.open(config);
  }

  private static byte[] big() {
    return "{\"sku\":\"A-1\",\"qty\":2}".repeat(100).getBytes(StandardCharsets.US_ASCII);
  }

  /** Writes one small and one compressed event with zstd; returns their receipts. */
  private List<AppendReceipt> writeWithZstd() {
    try (Store s = Store.open(config().compression("zstd").build())) {
      return List.of(s.append(C, KIND, Bytes.utf8("small")), s.append(C, KIND, Bytes.of(big())));
    }
  }

  @Test
  void withoutBatpakCompressTheStoreOpensAndACompressedPayloadNamesTheArtifacts() throws Exception {
    List<AppendReceipt> r = writeWithZstd();
    try (Store s = openWith(config().build())) {
      assertEquals("small", new String(s.get(r.get(0).eventId()).payload().toByteArray()));
      assertEquals(r.get(1).eventHash(), s.stream("order-1").get(1).eventHash());
      ProviderException e = assertThrows(ProviderException.class, () -> s.get(r.get(1).eventId()));
      assertEquals(
          "BATPAK-COMPRESS-002 a stored payload is compressed with 'zstd', and no compressor of"
              + " that name is on the class path or module path (compressors found: none). Add"
              + " io.batpak:batpak-compress and com.github.luben:zstd-jni to the class path or"
              + " module path; events whose payloads are stored uncompressed read without them."
              + " See docs/codecs.md#compression (the payload is in /stores/orders/0000000001.seg,"
              + " frame at offset 285)",
          e.getMessage());
      // verifyAll cannot check that payload either, and says where it is.
      ProviderException verifying =
          assertThrows(ProviderException.class, () -> s.verifyAll(VerificationProgress.none()));
      assertTrue(
          verifying
              .getMessage()
              .endsWith("(the payload is in /stores/orders/0000000001.seg, frame at offset 285)"),
          verifying.getMessage());
      // Appends go on, uncompressed (the default setting), in a new segment that says so.
      s.append(C, KIND, Bytes.of(big()));
    }
    ProviderException asked =
        assertThrows(ProviderException.class, () -> openWith(config().compression("zstd").build()));
    assertEquals(
        "BATPAK-COMPRESS-002 the configuration asks for compression 'zstd' for the store in"
            + " /stores/orders, and no compressor of that name is on the class path or module path"
            + " (compressors found: none). Add io.batpak:batpak-compress and"
            + " com.github.luben:zstd-jni to the class path or module path; events whose payloads"
            + " are stored uncompressed read without them. See docs/codecs.md#compression",
        asked.getMessage());
    try (Store s = Store.open(config().build())) {
      assertArrayEquals(big(), s.get(r.get(1).eventId()).payload().toByteArray());
      assertEquals(3, s.stats().eventCount());
    }
  }

  @Test
  void withBatpakCompressButWithoutZstdJniTheMessageNamesTheLibrary() throws Exception {
    List<AppendReceipt> r = writeWithZstd();
    Path compress = TestClasspath.requireModule("compress");
    Path lz4 = TestClasspath.jar("lz4-java");
    try (Store s = openWith(config().build(), compress, lz4)) {
      ProviderException e = assertThrows(ProviderException.class, () -> s.get(r.get(1).eventId()));
      assertEquals(
          "BATPAK-COMPRESS-006 a stored payload is compressed with 'zstd': its provider"
              + " io.batpak.compress.ZstdCompressorProvider is on the class path, but the library"
              + " it runs on failed to load (java.lang.NoClassDefFoundError:"
              + " com/github/luben/zstd/ZstdException). Add com.github.luben:zstd-jni (a dependency of"
              + " io.batpak:batpak-compress, perhaps excluded) for this platform. See"
              + " docs/codecs.md#compression (the payload is in /stores/orders/0000000001.seg,"
              + " frame at offset 285)",
          e.getMessage());
    }
    // lz4 works in the same class loader: the missing library of one compressor does not stop
    // the other.
    try (Store s = openWith(config().compression("lz4").build(), compress, lz4)) {
      AppendReceipt again = s.append(C, KIND, Bytes.of(big()));
      assertArrayEquals(big(), s.get(again.eventId()).payload().toByteArray());
    }
  }
}
