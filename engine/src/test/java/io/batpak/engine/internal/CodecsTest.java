package io.batpak.engine.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.EventId;
import io.batpak.ProviderException;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import io.batpak.spi.Codec;
import io.batpak.spi.CodecProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import org.junit.jupiter.api.Test;

/**
 * {@link Codecs} over fake providers: which codec a store gets, and every message about a codec
 * that is missing or refused (issue 8, defect 14). The engine's tests have no codec on the class
 * path, so the fakes stand for {@code batpak-codec}; {@code it}'s {@code CodecMessagesIT} repeats
 * the situations end to end with the real one.
 */
class CodecsTest {

  private static final Path DIR = Path.of("/data/orders");
  private static final EventId ID = EventId.of(0x0192d2a4b5c67d8eL, 0x8f00112233445566L);

  /** A codec that writes {@code toString()} as UTF-8 and decodes only to String. */
  private static final class TextCodec implements Codec {
    private final String name;

    TextCodec(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Bytes encode(Object value) {
      return Bytes.utf8(value.toString());
    }

    @Override
    public <T> T decode(Bytes bytes, Class<T> type) {
      return type.cast(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
    }
  }

  private static CodecProvider provider(String name) {
    return new CodecProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Codec create() {
        return new TextCodec(name);
      }
    };
  }

  private static Codecs.Available found(String... names) {
    return Codecs.Available.of(List.of(names).stream().map(CodecsTest::provider).toList());
  }

  private static StoreConfig config(String codec) {
    StoreConfig.Builder b = StoreConfig.builder(DIR);
    if (codec != null) {
      b.codec(codec);
    }
    return b.build();
  }

  @Test
  void aNewStoreTakesJsonWhenFoundElseBytes() {
    assertEquals("json", Codecs.chooseName(config(null), Optional.empty(), found("cbor", "json")));
    assertEquals("bytes", Codecs.chooseName(config(null), Optional.empty(), found()));
    assertEquals("bytes", Codecs.chooseName(config(null), Optional.empty(), found("cbor")));
    assertEquals("cbor", Codecs.chooseName(config("cbor"), Optional.empty(), found("cbor")));
    assertEquals("bytes", Codecs.chooseName(config("bytes"), Optional.empty(), found("json")));
  }

  @Test
  void anExistingStoreKeepsItsCodecWhateverIsOnTheClassPath() {
    assertEquals("bytes", Codecs.chooseName(config(null), Optional.of("bytes"), found("json")));
    assertEquals("json", Codecs.chooseName(config(null), Optional.of("json"), found()));
    assertEquals("json", Codecs.chooseName(config("json"), Optional.of("json"), found("json")));
    assertEquals("bytes", Codecs.chooseName(config("bytes"), Optional.of("bytes"), found()));
  }

  @Test
  void aBytesStoreAskedForACodecOnTheClassPathSaysSoAndHowToOpenIt() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> Codecs.chooseName(config("json"), Optional.of("bytes"), found("json")));
    assertEquals(
        "the store in /data/orders was created without a payload codec: its segment headers name"
            + " codec 'bytes', and a store keeps its codec for life, so it cannot be opened with"
            + " codec 'json', even though that codec is on the class path now. Remove the codec"
            + " option to open it as a 'bytes' store (it takes Bytes payloads, which you encode"
            + " yourself), or create a new store with codec 'json' and copy the events into it."
            + " See docs/codecs.md#bytes-stores",
        e.getMessage());
  }

  @Test
  void aStoreAskedForAnotherCodecNamesItsOwn() {
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> Codecs.chooseName(config("cbor"), Optional.of("json"), found("json", "cbor")));
    assertEquals(
        "the store in /data/orders was created with codec 'json' (its segment headers name it),"
            + " and a store keeps its codec for life, so it cannot be opened with codec 'cbor'."
            + " Remove the codec option (the store then uses 'json') or set it to 'json'. See"
            + " docs/codecs.md#choosing-a-codec",
        e.getMessage());
    ValidationException toBytes =
        assertThrows(
            ValidationException.class,
            () -> Codecs.chooseName(config("bytes"), Optional.of("json"), found("json")));
    assertEquals(
        "the store in /data/orders was created with codec 'json' (its segment headers name it),"
            + " and a store keeps its codec for life, so it cannot be opened with codec 'bytes'."
            + " Remove the codec option (the store then uses 'json') or set it to 'json'. See"
            + " docs/codecs.md#choosing-a-codec",
        toBytes.getMessage());
  }

  @Test
  void aStoreAskedForItsOwnCodecThatIsMissingNamesTheArtifact() {
    ProviderException e =
        assertThrows(
            ProviderException.class,
            () -> Codecs.chooseName(config("json"), Optional.of("json"), found("cbor")));
    assertEquals(
        "BATPAK-CODEC-002 the configuration asks for codec 'json', the codec of the store in"
            + " /data/orders, and no"
            + " codec of that name is on the class path or module path (codecs found: cbor). Add"
            + " io.batpak:batpak-codec, which provides codec 'json', to the class path or module"
            + " path, or remove the codec option to open the store without it (Bytes payloads and"
            + " get(id).payload() still work). See docs/codecs.md#missing-codec",
        e.getMessage());
  }

  @Test
  void aNewStoreAskedForAnUnknownCodecListsEveryCodecFoundAndTheBrokenOnes() {
    Iterable<CodecProvider> withBroken =
        () ->
            new Iterator<>() {
              private int next;

              @Override
              public boolean hasNext() {
                return next < 3;
              }

              @Override
              public CodecProvider next() {
                switch (next++) {
                  case 0:
                    return provider("json");
                  case 1:
                    throw new ServiceConfigurationError(
                        "io.batpak.spi.CodecProvider: Provider com.example.Broken could not be"
                            + " instantiated");
                  case 2:
                    return provider("cbor");
                  default:
                    throw new NoSuchElementException();
                }
              }
            };
    ProviderException e =
        assertThrows(
            ProviderException.class,
            () ->
                Codecs.chooseName(
                    config("nope"), Optional.empty(), Codecs.Available.of(withBroken)));
    assertEquals(
        "BATPAK-CODEC-002 the configuration asks for codec 'nope' for the new store in"
            + " /data/orders, and no codec"
            + " of that name is on the class path or module path. Codecs found: cbor, json (and"
            + " 'bytes', a store without a payload codec); codec providers that failed to load:"
            + " io.batpak.spi.CodecProvider: Provider com.example.Broken could not be"
            + " instantiated. Add the artifact that provides codec 'nope' to the class path or"
            + " module path, name a codec that was found, or remove the codec option (a new store"
            + " then uses 'json' when it is on the class path, else 'bytes'). A store keeps the"
            + " codec it is created with for life. See docs/codecs.md#choosing-a-codec",
        e.getMessage());
  }

  /** A second provider of {@code json}, as when two versions of batpak-codec are on the path. */
  static final class SecondJsonProvider implements CodecProvider {
    @Override
    public String name() {
      return "json";
    }

    @Override
    public Codec create() {
      return new TextCodec("json");
    }
  }

  /** A provider whose {@code name()} throws, as when a class it needs is missing. */
  static final class NamelessProvider implements CodecProvider {
    static final IllegalStateException FAILURE = new IllegalStateException("no name today");

    @Override
    public String name() {
      throw FAILURE;
    }

    @Override
    public Codec create() {
      throw new AssertionError("never created");
    }
  }

  private static final String FIRST = "io.batpak.engine.internal.CodecsTest$1";
  private static final String SECOND = SecondJsonProvider.class.getName();
  private static final String NAMELESS = NamelessProvider.class.getName();

  @Test
  void twoProvidersOfOneNameAreRefusedInsteadOfTheFirstWinning() {
    Codecs.Available a =
        Codecs.Available.of(List.of(provider("json"), new SecondJsonProvider(), provider("cbor")));
    assertEquals("cbor, json", a.describe());
    String duplicate =
        "BATPAK-CODEC-004 duplicate codec name: \"json\" is claimed by "
            + FIRST
            + " and "
            + SECOND
            + ".\n"
            + "Candidates:\n"
            + "  - cbor ("
            + FIRST
            + "): %s\n"
            + "  - json ("
            + FIRST
            + "): skipped: name also claimed by "
            + SECOND
            + "\n"
            + "  - json ("
            + SECOND
            + "): skipped: name also claimed by "
            + FIRST
            + "\n"
            + "Fix: remove one of the artifacts that provide the same name from the class path or"
            + " module path. See docs/errors.md#batpak-codec-004";
    ProviderException onJson = assertThrows(ProviderException.class, () -> a.create("json"));
    assertEquals(String.format(duplicate, "skipped: not the requested name"), onJson.getMessage());
    ProviderException onCbor = assertThrows(ProviderException.class, () -> a.create("cbor"));
    assertEquals(String.format(duplicate, "would be chosen"), onCbor.getMessage());
    ProviderException onDefault =
        assertThrows(
            ProviderException.class, () -> Codecs.chooseName(config(null), Optional.empty(), a));
    assertEquals(String.format(duplicate, "found"), onDefault.getMessage());
    // A codec nobody provides is still not found (the store opens without it), and a store that
    // needs no codec never looks.
    assertNull(a.create("nope"));
    assertEquals("bytes", Codecs.chooseName(config("bytes"), Optional.empty(), a));
    assertEquals("bytes", Codecs.chooseName(config(null), Optional.of("bytes"), a));
  }

  @Test
  void aBrokenProviderRefusesTheDefaultAndEveryCodecInsteadOfFallingBackToBytes() {
    Codecs.Available a = Codecs.Available.of(List.of(new NamelessProvider(), provider("cbor")));
    String broken =
        "BATPAK-CODEC-005 broken codec provider: 1 provider failed to load.\n"
            + "Candidates:\n"
            + "  - cbor ("
            + FIRST
            + "): %s\n"
            + "  - "
            + NAMELESS
            + ": failed to load: java.lang.IllegalStateException: no name today\n"
            + "Fix: remove or repair the broken provider's artifact (the error is listed above and"
            + " attached as the cause). See docs/errors.md#batpak-codec-005";
    // Without it, a new store would become a bytes store for life: the broken one may be json.
    ProviderException onDefault =
        assertThrows(
            ProviderException.class, () -> Codecs.chooseName(config(null), Optional.empty(), a));
    assertEquals(String.format(broken, "found"), onDefault.getMessage());
    assertSame(NamelessProvider.FAILURE, onDefault.getCause());
    ProviderException onCbor = assertThrows(ProviderException.class, () -> a.create("cbor"));
    assertEquals(String.format(broken, "would be chosen"), onCbor.getMessage());
    assertSame(NamelessProvider.FAILURE, onCbor.getCause());
  }

  @Test
  void aStoreWhoseCodecIsMissingNamesTheArtifactOnEncodeAndDecode() {
    // The engine's test class path has no codec: this is the json store opened without
    // batpak-codec (the open succeeds; Bytes payloads and readRaw work).
    assertNull(Codecs.find("json"));
    CodecException onEncode =
        assertThrows(CodecException.class, () -> Codecs.encode(null, "json", List.of(1)));
    assertEquals(
        "cannot encode a payload of type java.util.ImmutableCollections$List12: this store's"
            + " codec is 'json' (its segment headers name it), and no codec of that name is on"
            + " the class path or module path (codecs found: none). Add io.batpak:batpak-codec,"
            + " which provides codec 'json', to the class path or module path, or pass the payload"
            + " as Bytes (encoded with codec 'json'). See docs/codecs.md#missing-codec",
        onEncode.getMessage());
    CodecException onDecode =
        assertThrows(
            CodecException.class,
            () -> Codecs.decode(null, "json", ID, Bytes.utf8("{}"), String.class));
    assertEquals(
        "cannot decode event "
            + ID
            + " as java.lang.String: this store's codec is 'json' (its segment headers name it),"
            + " and no codec of that name is on the class path or module path (codecs found:"
            + " none). Add io.batpak:batpak-codec, which provides codec 'json', to the class path"
            + " or module path, or read the payload with get(id).payload() and decode it yourself. See"
            + " docs/codecs.md#missing-codec",
        onDecode.getMessage());
    CodecException cbor =
        assertThrows(CodecException.class, () -> Codecs.encode(null, "cbor", List.of(1)));
    assertEquals(
        "cannot encode a payload of type java.util.ImmutableCollections$List12: this store's"
            + " codec is 'cbor' (its segment headers name it), and no codec of that name is on"
            + " the class path or module path (codecs found: none). Add io.batpak:batpak-codec,"
            + " which provides codec 'cbor', to the class path or module path, or pass the payload"
            + " as Bytes (encoded with codec 'cbor'). See docs/codecs.md#missing-codec",
        cbor.getMessage());
    CodecException otherCodec =
        assertThrows(CodecException.class, () -> Codecs.encode(null, "avro", List.of(1)));
    assertEquals(
        "cannot encode a payload of type java.util.ImmutableCollections$List12: this store's"
            + " codec is 'avro' (its segment headers name it), and no codec of that name is on"
            + " the class path or module path (codecs found: none). Add the artifact that provides"
            + " codec 'avro' to the class path or module path, or pass the payload as Bytes"
            + " (encoded with codec 'avro'). See docs/codecs.md#missing-codec",
        otherCodec.getMessage());
  }

  @Test
  void bytesPassThroughAndObjectsGoToTheCodec() {
    byte[] raw = {1, 2, 3};
    assertArrayEquals(raw, Codecs.encode(null, "bytes", Bytes.of(raw)));
    assertArrayEquals(raw, Codecs.encode(null, "json", Bytes.of(raw)));
    Codec text = found("text").create("text");
    assertArrayEquals(
        "hello".getBytes(StandardCharsets.UTF_8), Codecs.encode(text, "text", "hello"));
    assertEquals("hi", Codecs.decode(text, "text", ID, Bytes.utf8("hi"), String.class));
    assertThrows(
        NullPointerException.class, () -> Codecs.decode(text, "text", ID, Bytes.utf8("hi"), null));
  }
}
