package io.batpak;

/** The listener behind {@link StoreListener#none()}. */
final class NoListener implements StoreListener {
  static final NoListener INSTANCE = new NoListener();

  private NoListener() {}

  @Override
  public String toString() {
    return "StoreListener.none()";
  }
}
