package io.batpak.engine.internal;

import io.batpak.CorruptStoreException;
import io.batpak.ProviderException;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import io.batpak.engine.internal.artifact.AuthorityFile;
import io.batpak.engine.internal.artifact.CompressionDictionaries;
import io.batpak.engine.internal.format.CompressedPayload;
import io.batpak.engine.internal.format.Decompressors;
import io.batpak.port.StoreFs;
import io.batpak.spi.Compressor;
import io.batpak.spi.CompressorProvider;
import io.batpak.spi.ProviderChoice;
import io.batpak.spi.ProviderDiscovery;
import io.batpak.spi.ProviderKind;
import io.batpak.spi.ProviderLoader;
import io.batpak.spi.Refusal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The store's payload compressors (ADR 0026): the one appends use, chosen by {@link
 * StoreConfig#compression()} when the store opens, and every one a stored payload names, found by
 * name when the first such payload is read. Providers are found by {@link ProviderLoader} with a
 * {@link ServiceLoader} over the engine's class loader, strictly, as codecs are ({@code
 * BATPAK-COMPRESS-*} in docs/errors.md).
 *
 * <p>A store whose segments name a compressor that is not on the class path opens; reading one of
 * its compressed payloads is a {@link ProviderException} naming the compressor and the artifacts
 * that provide it, and so is opening with {@code compression} set to it.
 *
 * <p>It also holds the store's zstd dictionaries ({@link CompressionDictionaries}), read at open,
 * and, when {@link StoreConfig#compressionDictionaryBytes()} asks for a dictionary the store does
 * not have yet, trains one: it keeps copies of the payloads appended until they total {@value
 * #SAMPLE_FACTOR} times the dictionary size, trains on the appending thread that completes them,
 * publishes the dictionary file durably, and only then compresses with it, so no frame ever names a
 * dictionary that is not on disk. A failed training or publish is logged and leaves appends on
 * plain zstd until the next open. Thread-safe.
 */
public final class Compressors implements Decompressors {
  private static final System.Logger LOG = System.getLogger(Compressors.class.getName());

  /** The payload bytes a dictionary is trained from, as a multiple of its size. */
  static final int SAMPLE_FACTOR = 100;

  /** The artifact that provides the compressors the format knows. */
  static final String ARTIFACT = "io.batpak:batpak-compress";

  /** The library each compressor of {@link #ARTIFACT} runs on. */
  private static final Map<String, String> LIBRARIES =
      Map.of("lz4", "at.yawk.lz4:lz4-java", "zstd", "com.github.luben:zstd-jni");

  private static final String DOCS = "docs/codecs.md#compression";

  private final ProviderDiscovery<CompressorProvider> discovery;
  private final Map<String, Compressor> found = new ConcurrentHashMap<>();
  private final String writerName;
  private volatile Writer writer;

  /** The dictionary files the open found and those this store published since, by id. */
  private final Map<Integer, CompressionDictionaries.Entry> dictionaries =
      new ConcurrentHashMap<>();

  private final Map<Integer, Compressor> bound = new ConcurrentHashMap<>();

  /** The store's directory, where the dictionary files are. */
  private final Path directory;

  /** Collects payloads for the dictionary to train, or null when none is to be trained. */
  private volatile Sampler sampler;

  /**
   * What appends compress with.
   *
   * @param compressor the compressor (bound to the dictionary when there is one)
   * @param method its method byte
   * @param dictionary the dictionary's id for method 3, else 0
   */
  private record Writer(Compressor compressor, int method, int dictionary) {}

  private Compressors(
      ProviderDiscovery<CompressorProvider> discovery, Path directory, Compressor writer, int m) {
    this.discovery = discovery;
    this.directory = directory;
    this.writer = writer == null ? null : new Writer(writer, m, 0);
    this.writerName = writer == null ? StoreConfig.NO_COMPRESSION : writer.name();
    if (writer != null) {
      found.put(writer.name(), writer);
    }
  }

  /**
   * The compressors of a store opened with {@code config} in {@code directory}, with the store's
   * dictionaries; on a {@code mutable} open with {@link StoreConfig#compressionDictionaryBytes()}
   * set, appends use the newest dictionary if it was trained for that size, else a new one is
   * trained once enough payloads were appended.
   *
   * @throws io.batpak.UnsupportedFormatException if a dictionary file is of a newer version
   * @throws IOException if the dictionary files cannot be listed or read
   * @throws ValidationException as {@link #fromConfig}
   * @throws ProviderException as {@link #fromConfig}
   */
  static Compressors open(StoreConfig config, StoreFs fs, Path directory, boolean mutable)
      throws IOException {
    Compressors c = fromConfig(config, directory);
    TreeMap<Integer, CompressionDictionaries.Entry> files =
        CompressionDictionaries.load(fs, directory);
    c.dictionaries.putAll(files);
    int size = config.compressionDictionaryBytes();
    if (!mutable || size == 0 || c.writer == null) {
      return c;
    }
    Map.Entry<Integer, CompressionDictionaries.Entry> newest = files.lastEntry();
    if (newest != null
        && newest.getValue().dictionary() != null
        && newest.getValue().trainedFor() == size) {
      int id = newest.getKey();
      c.writer =
          new Writer(
              c.dictionary(id, () -> directory.toString(), 0),
              CompressedPayload.ZSTD_DICTIONARY,
              id);
    } else {
      int next = newest == null ? 1 : newest.getKey() + 1;
      if (next == 0) {
        LOG.log(
            System.Logger.Level.WARNING,
            "the store in {0} has used every dictionary id; appends compress without one",
            directory);
        return c;
      }
      c.sampler = c.new Sampler(fs, directory, next, size);
    }
    return c;
  }

  /**
   * The stored compressed form of {@code payload} (at least the threshold long), or null when it is
   * stored as it is. Feeds the dictionary sampler, and may train and publish the dictionary on this
   * thread.
   */
  byte[] compress(byte[] payload) {
    Writer w = writer;
    if (w == null) {
      return null;
    }
    byte[] stored = CompressedPayload.compress(w.compressor(), w.method(), w.dictionary(), payload);
    Sampler s = sampler;
    if (s != null) {
      s.offer(payload);
    }
    return stored;
  }

  /**
   * The compressors of a store opened with {@code config}.
   *
   * @throws ValidationException if {@code compression} names a compressor the journal format does
   *     not know
   * @throws ProviderException if it names one that is not on the class path ({@code
   *     BATPAK-COMPRESS-002}), whose library is missing ({@code -006}), or a provider is broken or
   *     duplicated ({@code -005}, {@code -004})
   */
  private static Compressors fromConfig(StoreConfig config, Path directory) {
    ProviderDiscovery<CompressorProvider> discovery =
        ProviderLoader.load(
            ProviderKind.COMPRESSOR,
            ServiceLoader.load(CompressorProvider.class, Compressors.class.getClassLoader()));
    String name = config.compression();
    if (StoreConfig.NO_COMPRESSION.equals(name)) {
      return new Compressors(discovery, directory, null, 0);
    }
    int method = CompressedPayload.method(name);
    if (method < 0) {
      throw new ValidationException(
          "compression '"
              + name
              + "' is not a compressor the journal format knows ("
              + CompressedPayload.assignedNames()
              + "); name one of those or '"
              + StoreConfig.NO_COMPRESSION
              + "'. See "
              + DOCS);
    }
    Compressor c =
        create(
            discovery,
            name,
            "the configuration asks for compression '"
                + name
                + "' for the store in "
                + config.directory());
    return new Compressors(discovery, directory, c, method);
  }

  /** The name new segment headers record: the writer's, or {@code none}. */
  String writerName() {
    return writerName;
  }

  /**
   * The zstd compressor bound to dictionary {@code id}, made once.
   *
   * @throws CorruptStoreException naming the dictionary file if the store has no such dictionary or
   *     its file is damaged
   */
  @Override
  public Compressor dictionary(int id, Supplier<String> file, long frameOffset) {
    Compressor c = bound.get(id);
    if (c != null) {
      return c;
    }
    CompressionDictionaries.Entry e = dictionaries.get(id);
    String what =
        "zstd dictionary "
            + Integer.toUnsignedString(id)
            + " (named by the compressed payload of the frame at offset "
            + frameOffset
            + " in "
            + file.get()
            + ")";
    if (e == null) {
      throw new CorruptStoreException(
          directory.resolve(CompressionDictionaries.fileName(id)).toString(),
          0,
          what,
          "the dictionary file, published before any payload named it",
          "no such file in the store directory; a dictionary is never removed, so restore it"
              + " from a backup or copy of this store");
    }
    if (e.dictionary() == null) {
      throw new CorruptStoreException(
          e.file().toString(),
          e.offset(),
          what,
          "an intact dictionary file",
          e.damage() + "; restore the file from a backup or copy of this store");
    }
    try {
      c = get("zstd").withDictionary(e.dictionary());
    } catch (IllegalArgumentException x) {
      throw new CorruptStoreException(
          e.file().toString(), AuthorityFile.HEADER, what, "a zstd dictionary", x.getMessage());
    }
    Compressor raced = bound.putIfAbsent(id, c);
    return raced == null ? c : raced;
  }

  /** Collects appended payloads, then trains, publishes and switches to one new dictionary. */
  private final class Sampler {
    private final StoreFs fs;
    private final Path directory;
    private final int id;
    private final int size;
    private final long target;
    private final List<byte[]> samples = new ArrayList<>();
    private long bytes;
    private boolean full;

    Sampler(StoreFs fs, Path directory, int id, int size) {
      this.fs = fs;
      this.directory = directory;
      this.id = id;
      this.size = size;
      this.target = (long) SAMPLE_FACTOR * size;
    }

    void offer(byte[] payload) {
      List<byte[]> taken;
      synchronized (this) {
        if (full) {
          return;
        }
        samples.add(payload.clone());
        bytes += payload.length;
        if (bytes < target) {
          return;
        }
        full = true;
        taken = List.copyOf(samples);
        samples.clear();
      }
      train(taken);
    }

    private void train(List<byte[]> taken) {
      try {
        Writer w = writer;
        byte[] dictionary = w.compressor().trainDictionary(taken, size);
        Compressor withIt = w.compressor().withDictionary(dictionary);
        Path file = CompressionDictionaries.publish(fs, directory, id, size, dictionary);
        // Durable now: payloads may name it.
        dictionaries.put(id, new CompressionDictionaries.Entry(file, size, dictionary, null, 0));
        bound.put(id, withIt);
        writer = new Writer(withIt, CompressedPayload.ZSTD_DICTIONARY, id);
        LOG.log(
            System.Logger.Level.INFO,
            "trained zstd dictionary {0} ({1} bytes from {2} payloads) and published {3}",
            id,
            dictionary.length,
            taken.size(),
            file);
      } catch (IOException | RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "training or publishing zstd dictionary "
                + id
                + " for the store in "
                + directory
                + " failed; appends compress without a dictionary until the next open: "
                + e.getMessage(),
            e);
      } finally {
        sampler = null;
      }
    }
  }

  @Override
  public Compressor get(String name) {
    Compressor c = found.get(name);
    if (c != null) {
      return c;
    }
    c = create(discovery, name, "a stored payload is compressed with '" + name + "'");
    Compressor raced = found.putIfAbsent(name, c);
    return raced == null ? c : raced;
  }

  private static Compressor create(
      ProviderDiscovery<CompressorProvider> discovery, String name, String context) {
    ProviderChoice<CompressorProvider> choice = discovery.selectByName(name);
    if (choice instanceof ProviderChoice.Refused<CompressorProvider> refused
        && refused.reason() == Refusal.UNKNOWN_NAME) {
      throw new ProviderException(
          ProviderKind.COMPRESSOR.code(Refusal.UNKNOWN_NAME)
              + " "
              + context
              + ", and no compressor of that name is on the class path or module path"
              + " (compressors found: "
              + (discovery.names().isEmpty() ? "none" : String.join(", ", discovery.names()))
              + "). Add "
              + ARTIFACT
              + " and "
              + LIBRARIES.getOrDefault(name, "the library it needs")
              + " to the class path or module path; events whose payloads are stored uncompressed"
              + " read without them. See "
              + DOCS);
    }
    CompressorProvider provider = choice.orThrow();
    try {
      return provider.create();
    } catch (LinkageError e) {
      throw new ProviderException(
          ProviderKind.COMPRESSOR.code(Refusal.NAMED_UNAVAILABLE)
              + " "
              + context
              + ": its provider "
              + provider.getClass().getName()
              + " is on the class path, but the library it runs on failed to load ("
              + e
              + "). Add "
              + LIBRARIES.getOrDefault(name, "the library it needs")
              + " (a dependency of "
              + ARTIFACT
              + ", perhaps excluded) for this platform. See "
              + DOCS);
    }
  }
}
