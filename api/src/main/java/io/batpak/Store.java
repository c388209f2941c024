package io.batpak;

/** Placeholder, completed by the journal issue. */
public interface Store extends AutoCloseable {
  @Override
  void close();
}
