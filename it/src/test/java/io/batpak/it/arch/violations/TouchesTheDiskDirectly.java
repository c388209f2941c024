package io.batpak.it.arch.violations;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/** A deliberate violation: reaches the disk around {@code StoreFs}. Never used at run time. */
final class TouchesTheDiskDirectly {
  private TouchesTheDiskDirectly() {}

  static long size(File f) throws IOException {
    try (FileChannel c = FileChannel.open(f.toPath(), StandardOpenOption.READ)) {
      return c.size();
    }
  }
}
