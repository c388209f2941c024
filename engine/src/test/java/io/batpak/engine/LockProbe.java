package io.batpak.engine;

import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreLockedException;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link LifecycleTest}: opens the store in {@code args[0]} (read-only when
 * {@code args[1]} is {@code ro}) and prints one line: {@code OPENED}, {@code LOCKED <message>} or
 * {@code FAILED <exception>}.
 */
public final class LockProbe {
  private LockProbe() {}

  /** Entry point. */
  public static void main(String[] args) {
    boolean readOnly = args.length > 1 && args[1].equals("ro");
    try (Store store =
        Store.open(StoreConfig.builder(Path.of(args[0])).readOnly(readOnly).build())) {
      System.out.println("OPENED " + store.stats().eventCount());
    } catch (StoreLockedException e) {
      System.out.println("LOCKED " + e.getMessage().replace('\n', ' '));
    } catch (RuntimeException e) {
      System.out.println("FAILED " + e.toString().replace('\n', ' '));
    }
  }
}
