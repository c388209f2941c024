package io.batpak.fs.spi;

import io.batpak.spi.ProbeResult;

/** A second provider class, so two providers can claim one name. */
final class OtherFakeProvider extends FakeProvider {
  OtherFakeProvider(String name, int priority) {
    super(name, priority, true, ProbeResult.available("other " + name + " ok"));
  }
}
