package io.batpak.fs.sim;

import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Small helpers shared by the fs-sim tests. */
final class Sim {
  static final Path DIR = Path.of("/sim/store");

  private Sim() {}

  static Path p(String name) {
    return DIR.resolve(name);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed * 31 + i * 7 + 1);
    }
    return b;
  }

  /** A simulator with a durable, empty {@link #DIR}. */
  static SimStoreFs withDir(long seed) throws IOException {
    SimStoreFs fs = new SimStoreFs(seed);
    fs.createDirectories(DIR);
    fs.syncAll();
    return fs;
  }

  static void write(FileHandle h, byte[] data, long pos) throws IOException {
    h.write(ByteBuffer.wrap(data), pos);
  }

  /** Creates {@code file} with {@code data}, optionally syncing its content. */
  static void createFile(StoreFs fs, Path file, byte[] data, boolean sync) throws IOException {
    try (FileHandle h = fs.create(file)) {
      write(h, data, 0);
      if (sync) {
        h.sync(SyncMode.ALL);
      }
    }
  }

  static byte[] read(StoreFs fs, Path file) throws IOException {
    try (FileHandle h = fs.openRead(file)) {
      ByteBuffer b = ByteBuffer.allocate((int) h.size());
      h.read(b, 0);
      return b.array();
    }
  }

  static String readString(StoreFs fs, Path file) throws IOException {
    return new String(read(fs, file), StandardCharsets.UTF_8);
  }

  /** The replay line for a seeded test of {@code testClass}. */
  static String replay(Class<?> testClass, String method, long seed) {
    return SimSeed.replayCommand("fs-sim", testClass, method, seed);
  }
}
