package io.batpak.it.arch.violations;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A deliberate violation: reaches the disk around {@code StoreFs}, one way per method, so the
 * architecture test can show that the rule refuses each of them. Never used at run time.
 */
final class TouchesTheDiskDirectly {
  private TouchesTheDiskDirectly() {}

  static boolean file(String name) {
    return new File(name).exists();
  }

  static long randomAccessFile(String name) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(name, "r")) {
      return f.length();
    }
  }

  static int fileInputStream(String name) throws IOException {
    try (FileInputStream in = new FileInputStream(name)) {
      return in.read();
    }
  }

  static void fileOutputStream(String name) throws IOException {
    try (FileOutputStream out = new FileOutputStream(name)) {
      out.write(1);
    }
  }

  static int fileReader(String name) throws IOException {
    try (FileReader in = new FileReader(name, java.nio.charset.StandardCharsets.UTF_8)) {
      return in.read();
    }
  }

  static void fileWriter(String name) throws IOException {
    try (FileWriter out = new FileWriter(name, java.nio.charset.StandardCharsets.UTF_8)) {
      out.write(1);
    }
  }

  static long fileChannel(Path p) throws IOException {
    try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
      return c.size();
    }
  }

  static long asynchronousFileChannel(Path p) throws IOException {
    try (AsynchronousFileChannel c = AsynchronousFileChannel.open(p, StandardOpenOption.READ)) {
      return c.size();
    }
  }

  static long files(Path p) throws IOException {
    return Files.size(p);
  }

  static Path fileSystems(String name) {
    return FileSystems.getDefault().getPath(name);
  }

  static boolean fileSystemProvider(Path p) throws IOException {
    p.getFileSystem().provider().checkAccess(p);
    return true;
  }

  static Path realPath(Path p) throws IOException {
    return p.toRealPath();
  }
}
