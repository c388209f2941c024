package io.batpak.test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.ProviderException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The base class's own refusals, each naming what to change. */
class ProviderStoreFsContractTest {

  @StoreFsContractTest(provider = "misnamed", realFiles = false)
  static class Misnamed extends ProviderStoreFsContract {}

  @StoreFsContractTest(provider = "nowhere")
  static class Unknown extends ProviderStoreFsContract {}

  static class Unannotated extends ProviderStoreFsContract {}

  @Test
  void aDecoratorThatForwardsNameIsRefusedWithTheFix() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> new Misnamed().openFs(Path.of("/r")));
    assertTrue(
        e.getMessage().contains("says its name() is 'sim': it must be 'misnamed'"), e.getMessage());
    assertTrue(e.getMessage().contains("ForwardingStoreFs forwards name()"), e.getMessage());
  }

  @Test
  void anUnknownProviderIsTheResolversError() {
    ProviderException e =
        assertThrows(ProviderException.class, () -> new Unknown().openFs(Path.of("/r")));
    assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
  }

  @Test
  void aMissingAnnotationSaysWhatToAdd() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> new Unannotated().providerName());
    assertTrue(e.getMessage().contains("@StoreFsContractTest(provider = ...)"), e.getMessage());
  }
}
