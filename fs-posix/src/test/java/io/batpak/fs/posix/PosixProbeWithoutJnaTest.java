package io.batpak.fs.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.StoreFs;
import io.batpak.spi.StoreFsProvider;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/** The provider must load and probe without jna.jar, as the SPI requires. */
class PosixProbeWithoutJnaTest {

  @Test
  void probeSaysJnaIsMissingWhenTheClassLoaderHidesIt() throws Exception {
    URL[] urls = {
      location(PosixStoreFsProvider.class), location(StoreFsProvider.class), location(StoreFs.class)
    };
    try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
      assertThrows(
          ClassNotFoundException.class, () -> Class.forName("com.sun.jna.Native", false, loader));
      Class<?> providerClass = Class.forName(PosixStoreFsProvider.class.getName(), true, loader);
      Object provider = providerClass.getConstructor().newInstance();
      assertEquals("posix", providerClass.getMethod("name").invoke(provider));
      Object probe = providerClass.getMethod("probe").invoke(provider);
      boolean available = (Boolean) probe.getClass().getMethod("available").invoke(probe);
      String reason = (String) probe.getClass().getMethod("reason").invoke(probe);
      assertFalse(available, reason);
      assertTrue(reason.contains("jna.jar is not on the class path"), reason);

      Class<?> options = Class.forName("io.batpak.spi.FsOptions", true, loader);
      Object defaults = options.getMethod("defaults").invoke(null);
      InvocationTargetException failure =
          assertThrows(
              InvocationTargetException.class,
              () -> providerClass.getMethod("open", options).invoke(provider, defaults));
      assertEquals(
          "io.batpak.port.UnsupportedFsOperationException",
          failure.getCause().getClass().getName());
      assertTrue(
          failure.getCause().getMessage().contains("jna.jar"), failure.getCause().getMessage());
    }
  }

  @Test
  void probeIsAvailableWithJnaOnLinux() {
    PosixStoreFsProvider provider = new PosixStoreFsProvider();
    assertEquals(100, provider.priority());
    assertTrue(provider.autoSelectable());
    assertTrue(provider.probe().available(), provider.probe().reason());
    assertTrue(provider.probe().reason().contains("JNA 5.19.1"), provider.probe().reason());
  }

  private static URL location(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }
}
