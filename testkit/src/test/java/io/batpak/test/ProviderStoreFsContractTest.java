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
    ProviderException e =
        assertThrows(ProviderException.class, () -> new Misnamed().openFs(Path.of("/r")));
    assertTrue(
        e.getMessage().startsWith("BATPAK-FS-005 filesystem backend provider misnamed"),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .contains(
                "whose name() is \"sim\": a backend's name() must be its"
                    + " provider's name, \"misnamed\""),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("a ForwardingStoreFs forwards its delegate's name"),
        e.getMessage());
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
