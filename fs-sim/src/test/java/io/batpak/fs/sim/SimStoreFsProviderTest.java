package io.batpak.fs.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import io.batpak.spi.StoreFsProvider;
import java.io.IOException;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The {@code sim} provider and its registration. */
class SimStoreFsProviderTest {

  @Test
  void registeredAndNeverAutoSelected() {
    StoreFsProvider sim =
        ServiceLoader.load(StoreFsProvider.class, getClass().getClassLoader()).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.name().equals("sim"))
            .findFirst()
            .orElseThrow();
    assertInstanceOf(SimStoreFsProvider.class, sim);
    assertEquals(0, sim.priority());
    assertFalse(sim.autoSelectable());
    assertTrue(sim.probe().available());
    assertEquals("in-memory simulator; never auto-selected", sim.probe().reason());
  }

  @Test
  void opensWithOptions() throws IOException {
    SimStoreFsProvider provider = new SimStoreFsProvider();
    try (StoreFs fs = provider.open(new FsOptions(Map.of("seed", "77", "windows", "true")))) {
      SimStoreFs sim = assertInstanceOf(SimStoreFs.class, fs);
      assertEquals(77, sim.seed());
      assertTrue(sim.windowsMode());
      assertEquals("sim", fs.name());
    }
    try (StoreFs fs = provider.open(FsOptions.defaults())) {
      assertEquals(0, ((SimStoreFs) fs).seed());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> provider.open(new FsOptions(Map.of("seed", "not-a-number"))));
  }
}
