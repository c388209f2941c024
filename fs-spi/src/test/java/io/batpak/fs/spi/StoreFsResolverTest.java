package io.batpak.fs.spi;

import static io.batpak.fs.spi.FakeProvider.unusable;
import static io.batpak.fs.spi.FakeProvider.usable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.ProviderException;
import io.batpak.fs.spi.StoreFsResolver.Candidate;
import io.batpak.fs.spi.StoreFsResolver.Resolution;
import io.batpak.fs.spi.StoreFsResolver.Source;
import io.batpak.fs.spi.StoreFsResolver.Verdict;
import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import io.batpak.spi.ProbeResult;
import io.batpak.spi.StoreFsProvider;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class StoreFsResolverTest {

  private static final String FAKE = "io.batpak.fs.spi.FakeProvider";
  private static final String OTHER = "io.batpak.fs.spi.OtherFakeProvider";

  private static final String FIX_001 =
      "Fix: add io.batpak:batpak-fs-posix (backends posix and nio) to the class path or module"
          + " path, select a backend by name, or pass a StoreFs instance."
          + " See docs/errors.md#batpak-fs-001";

  private static Properties property(String value) {
    Properties p = new Properties();
    p.setProperty(StoreFsResolver.BACKEND_PROPERTY, value);
    return p;
  }

  @Test
  void highestPriorityUsableProviderIsChosenAndLowerOnesAreNotProbed() {
    FakeProvider nio = usable("nio", 50);
    FakeProvider posix = usable("posix", 100);
    FakeProvider sim = new FakeProvider("sim", 0, false, ProbeResult.available("sim ok"));

    Resolution r = StoreFsResolver.resolve(null, List.of(nio, sim, posix));

    assertSame(posix, r.provider());
    assertEquals("posix", r.name());
    assertEquals(Source.AUTOMATIC, r.source());
    assertEquals(
        "filesystem backend posix chosen automatically: the highest-priority auto-selectable"
            + " provider whose probe passed.\n"
            + "Candidates:\n"
            + "  - posix ("
            + FAKE
            + ", priority 100): chosen: probe passed: posix ok\n"
            + "  - nio ("
            + FAKE
            + ", priority 50): skipped: lower priority than posix (100); not probed\n"
            + "  - sim ("
            + FAKE
            + ", priority 0): skipped: not auto-selectable; select it by name\n",
        r.explanation());
    assertEquals(0, nio.probes.get());
    assertEquals(0, sim.probes.get());
    assertEquals(
        List.of(Verdict.CHOSEN, Verdict.LOWER_PRIORITY, Verdict.NOT_AUTO_SELECTABLE),
        r.candidates().stream().map(Candidate::verdict).toList());
  }

  @Test
  void aFailedProbeFallsBackToTheNextPriority() {
    Resolution r =
        StoreFsResolver.resolve(
            null,
            List.of(unusable("posix", 100, "jna.jar is not on the class path"), usable("nio", 50)));

    assertEquals("nio", r.name());
    assertEquals(
        "filesystem backend nio chosen automatically: the highest-priority auto-selectable"
            + " provider whose probe passed.\n"
            + "Candidates:\n"
            + "  - posix ("
            + FAKE
            + ", priority 100): skipped: probe failed: jna.jar is not on the class path\n"
            + "  - nio ("
            + FAKE
            + ", priority 50): chosen: probe passed: nio ok\n",
        r.explanation());
  }

  @Test
  void noProviderAtAll() {
    ProviderException e =
        assertThrows(ProviderException.class, () -> StoreFsResolver.resolve(null, List.of()));
    assertEquals(
        "BATPAK-FS-001 no filesystem backend: no auto-selectable provider passed its probe.\n"
            + "Candidates: none (the given provider list is empty).\n"
            + FIX_001,
        e.getMessage());
  }

  @Test
  void serviceLoaderWithoutProvidersSaysSo() {
    ProviderException e =
        assertThrows(
            ProviderException.class,
            () ->
                StoreFsResolver.resolve(
                    null, StoreFsResolverTest.class.getClassLoader(), new Properties()));
    assertEquals(
        "BATPAK-FS-001 no filesystem backend: no auto-selectable provider passed its probe.\n"
            + "Candidates: none (ServiceLoader found no provider of"
            + " io.batpak.spi.StoreFsProvider).\n"
            + FIX_001,
        e.getMessage());
  }

  @Test
  void noProviderPassesItsProbeAndSimIsNeverAutoSelected() {
    ProviderException e =
        assertThrows(
            ProviderException.class,
            () ->
                StoreFsResolver.resolve(
                    null,
                    List.of(
                        new FakeProvider("sim", 0, false, ProbeResult.available("in memory")),
                        unusable("nio", 50, "no directory fsync on this platform"))));
    assertEquals(
        "BATPAK-FS-001 no filesystem backend: no auto-selectable provider passed its probe.\n"
            + "Candidates:\n"
            + "  - nio ("
            + FAKE
            + ", priority 50): skipped: probe failed: no directory fsync on this platform\n"
            + "  - sim ("
            + FAKE
            + ", priority 0): skipped: not auto-selectable; select it by name\n"
            + FIX_001,
        e.getMessage());
  }

  @Test
  void aTieAtTheTopPriorityIsAnError() {
    ProviderException e =
        assertThrows(
            ProviderException.class,
            () ->
                StoreFsResolver.resolve(
                    null, List.of(usable("b", 100), usable("nio", 50), usable("a", 100))));
    assertEquals(
        "BATPAK-FS-003 filesystem backend tie: a, b are auto-selectable, passed their probes and"
            + " share the top priority 100, so none is chosen.\n"
            + "Candidates:\n"
            + "  - a ("
            + FAKE
            + ", priority 100): tied at priority 100 with b: probe passed: a ok\n"
            + "  - b ("
            + FAKE
            + ", priority 100): tied at priority 100 with a: probe passed: b ok\n"
            + "  - nio ("
            + FAKE
            + ", priority 50): skipped: lower priority than the tied providers (100); not probed\n"
            + "Fix: select one by name, or give the providers different priorities."
            + " See docs/errors.md#batpak-fs-003",
        e.getMessage());
  }

  @Test
  void equalPrioritiesAreNoTieWhenOnlyOnePassesItsProbe() {
    Resolution r =
        StoreFsResolver.resolve(null, List.of(usable("b", 100), unusable("a", 100, "no libc")));
    assertEquals("b", r.name());
    assertEquals(
        "filesystem backend b chosen automatically: the highest-priority auto-selectable"
            + " provider whose probe passed.\n"
            + "Candidates:\n"
            + "  - a ("
            + FAKE
            + ", priority 100): skipped: probe failed: no libc\n"
            + "  - b ("
            + FAKE
            + ", priority 100): chosen: probe passed: b ok\n",
        r.explanation());
  }

  @Test
  void anExplicitNameWinsOverPriorityAndMaySelectSim() {
    FakeProvider posix = usable("posix", 100);
    FakeProvider sim = new FakeProvider("sim", 0, false, ProbeResult.available("in memory"));

    Resolution r = StoreFsResolver.resolve("sim", List.of(posix, sim), property("posix"));

    assertSame(sim, r.provider());
    assertEquals(Source.NAME, r.source());
    assertEquals(0, posix.probes.get());
    assertEquals(
        "filesystem backend sim chosen by name (named by the caller); its probe passed.\n"
            + "Candidates:\n"
            + "  - posix ("
            + FAKE
            + ", priority 100): skipped: not the requested name\n"
            + "  - sim ("
            + FAKE
            + ", priority 0): chosen: probe passed: in memory\n",
        r.explanation());
  }

  @Test
  void theSystemPropertyNamesTheBackendWhenTheCallerNamesNone() {
    Resolution r =
        StoreFsResolver.resolve(
            null, List.of(usable("posix", 100), usable("nio", 50)), property(" nio "));
    assertEquals("nio", r.name());
    assertEquals(Source.SYSTEM_PROPERTY, r.source());
    assertEquals(
        "filesystem backend nio chosen by name (named by system property batpak.fs.backend);"
            + " its probe passed.\n"
            + "Candidates:\n"
            + "  - posix ("
            + FAKE
            + ", priority 100): skipped: not the requested name\n"
            + "  - nio ("
            + FAKE
            + ", priority 50): chosen: probe passed: nio ok\n",
        r.explanation());
  }

  @Test
  void aBlankSystemPropertyCountsAsUnset() {
    Resolution r =
        StoreFsResolver.resolve(
            null, List.of(usable("posix", 100), usable("nio", 50)), property("  "));
    assertEquals("posix", r.name());
    assertEquals(Source.AUTOMATIC, r.source());
  }

  @Test
  void theListOverloadIgnoresTheSystemProperty() {
    String old = System.getProperty(StoreFsResolver.BACKEND_PROPERTY);
    System.setProperty(StoreFsResolver.BACKEND_PROPERTY, "nio");
    try {
      Resolution r =
          StoreFsResolver.resolve(null, List.of(usable("posix", 100), usable("nio", 50)));
      assertEquals("posix", r.name());
    } finally {
      if (old == null) {
        System.clearProperty(StoreFsResolver.BACKEND_PROPERTY);
      } else {
        System.setProperty(StoreFsResolver.BACKEND_PROPERTY, old);
      }
    }
  }

  @Test
  void anUnknownNameListsTheNamesThatExistAndTheArtifact() {
    ProviderException e =
        assertThrows(
            ProviderException.class,
            () ->
                StoreFsResolver.resolve(
                    null, List.of(usable("nio", 50), usable("posix", 100)), property("posx")));
    assertEquals(
        "BATPAK-FS-002 unknown filesystem backend \"posx\" (named by system property"
            + " batpak.fs.backend). Available names: nio, posix.\n"
            + "Candidates:\n"
            + "  - posix ("
            + FAKE
            + ", priority 100): skipped: not the requested name\n"
            + "  - nio ("
            + FAKE
            + ", priority 50): skipped: not the requested name\n"
            + "Fix: use an available name, or add the artifact that provides \"posx\";"
            + " io.batpak:batpak-fs-posix adds the default backends posix and nio,"
            + " io.batpak:batpak-fs-sim adds sim. See docs/errors.md#batpak-fs-002",
        e.getMessage());
  }

  @Test
  void anUnknownNameWithNoProviders() {
    ProviderException e =
        assertThrows(ProviderException.class, () -> StoreFsResolver.resolve("posix", List.of()));
    assertEquals(
        "BATPAK-FS-002 unknown filesystem backend \"posix\" (named by the caller). Available"
            + " names: none.\n"
            + "Candidates: none (the given provider list is empty).\n"
            + "Fix: use an available name, or add the artifact that provides \"posix\";"
            + " io.batpak:batpak-fs-posix adds the default backends posix and nio,"
            + " io.batpak:batpak-fs-sim adds sim. See docs/errors.md#batpak-fs-002",
        e.getMessage());
  }

  @Test
  void aDuplicateNameNamesBothClassesAndFailsEvenWhenAnotherProviderWouldDo() {
    ProviderException e =
        assertThrows(
            ProviderException.class,
            () ->
                StoreFsResolver.resolve(
                    null,
                    List.of(
                        usable("posix", 100),
                        new OtherFakeProvider("nio", 50),
                        usable("nio", 50))));
    assertEquals(
        "BATPAK-FS-004 duplicate filesystem backend name: \"nio\" is claimed by "
            + FAKE
            + " and "
            + OTHER
            + ".\n"
            + "Candidates:\n"
            + "  - posix ("
            + FAKE
            + ", priority 100): would be chosen: probe passed: posix ok\n"
            + "  - nio ("
            + FAKE
            + ", priority 50): skipped: name also claimed by "
            + OTHER
            + "\n"
            + "  - nio ("
            + OTHER
            + ", priority 50): skipped: name also claimed by "
            + FAKE
            + "\n"
            + "Fix: remove one of the artifacts that provide the same name from the class path or"
            + " module path. See docs/errors.md#batpak-fs-004",
        e.getMessage());
  }

  @Test
  void aDuplicateOfTheRequestedName() {
    ProviderException e =
        assertThrows(
            ProviderException.class,
            () ->
                StoreFsResolver.resolve(
                    "nio", List.of(new OtherFakeProvider("nio", 50), usable("nio", 50))));
    assertEquals(
        "BATPAK-FS-004 duplicate filesystem backend name: \"nio\" is claimed by "
            + FAKE
            + " and "
            + OTHER
            + ".\n"
            + "Candidates:\n"
            + "  - nio ("
            + FAKE
            + ", priority 50): skipped: name also claimed by "
            + OTHER
            + "\n"
            + "  - nio ("
            + OTHER
            + ", priority 50): skipped: name also claimed by "
            + FAKE
            + "\n"
            + "Fix: remove one of the artifacts that provide the same name from the class path or"
            + " module path. See docs/errors.md#batpak-fs-004",
        e.getMessage());
  }

  @Test
  void anInvalidNameIsABrokenProvider() {
    ProviderException e =
        assertThrows(
            ProviderException.class,
            () ->
                StoreFsResolver.resolve(
                    null, List.of(usable("Posix JNA", 100), usable("nio", 50))));
    assertEquals(
        "BATPAK-FS-005 broken filesystem backend provider: 1 provider failed to load.\n"
            + "Candidates:\n"
            + "  - nio ("
            + FAKE
            + ", priority 50): would be chosen: probe passed: nio ok\n"
            + "  - "
            + FAKE
            + ": failed to load: invalid name \"Posix JNA\"; a provider name is short lowercase"
            + " ASCII matching [a-z][a-z0-9-]{0,31}\n"
            + "Fix: remove or repair the broken provider's artifact (the error is listed above and"
            + " attached as the cause), or pass a StoreFs instance."
            + " See docs/errors.md#batpak-fs-005",
        e.getMessage());
    assertNull(e.getCause());
  }

  @Test
  void aProviderWhoseNameThrowsIsBrokenAndTheErrorIsTheCause() {
    IllegalStateException boom = new IllegalStateException("boom");
    StoreFsProvider throwing =
        new FakeProvider("x", 1, true, ProbeResult.available("x")) {
          @Override
          public String name() {
            throw boom;
          }
        };
    ProviderException e =
        assertThrows(
            ProviderException.class, () -> StoreFsResolver.resolve(null, List.of(throwing)));
    assertEquals(
        "BATPAK-FS-005 broken filesystem backend provider: 1 provider failed to load.\n"
            + "Candidates:\n"
            + "  - io.batpak.fs.spi.StoreFsResolverTest$1: failed to load:"
            + " java.lang.IllegalStateException: boom\n"
            + "Fix: remove or repair the broken provider's artifact (the error is listed above and"
            + " attached as the cause), or pass a StoreFs instance."
            + " See docs/errors.md#batpak-fs-005",
        e.getMessage());
    assertSame(boom, e.getCause());
  }

  @Test
  void aProbeThatThrowsCountsAsAFailedProbe() {
    StoreFsProvider throwing =
        new FakeProvider("posix", 100, true, ProbeResult.available("x")) {
          @Override
          public ProbeResult probe() {
            throw new UnsatisfiedLinkError("no libc");
          }
        };
    Resolution r = StoreFsResolver.resolve(null, List.of(throwing, usable("nio", 50)));
    assertEquals("nio", r.name());
    assertEquals(
        "posix (io.batpak.fs.spi.StoreFsResolverTest$2, priority 100): skipped: probe failed:"
            + " probe threw java.lang.UnsatisfiedLinkError: no libc",
        r.candidates().get(0).describe());
  }

  @Test
  void aNamedProviderWhoseProbeFails() {
    ProviderException e =
        assertThrows(
            ProviderException.class,
            () ->
                StoreFsResolver.resolve(
                    "posix",
                    List.of(
                        unusable("posix", 100, "not Linux: os.name is Windows"),
                        usable("nio", 50))));
    assertEquals(
        "BATPAK-FS-006 filesystem backend \"posix\" (named by the caller) is unavailable here:"
            + " probe failed: not Linux: os.name is Windows\n"
            + "Candidates:\n"
            + "  - posix ("
            + FAKE
            + ", priority 100): skipped: probe failed: not Linux: os.name is Windows\n"
            + "  - nio ("
            + FAKE
            + ", priority 50): skipped: not the requested name\n"
            + "Fix: choose another backend by name, or name none and let automatic selection pick"
            + " one. See docs/errors.md#batpak-fs-006",
        e.getMessage());
  }

  @Test
  void anInstanceWinsWithoutDiscovery() throws Exception {
    StoreFs fs = new RecordingStoreFs();
    Resolution r = StoreFsResolver.resolve(fs);
    assertEquals(Source.INSTANCE, r.source());
    assertEquals("recording", r.name());
    assertSame(fs, r.open(FsOptions.defaults()));
    assertEquals(List.of(), r.candidates());
    assertEquals(
        "filesystem backend recording passed in as an instance"
            + " (io.batpak.fs.spi.RecordingStoreFs); no discovery.",
        r.explanation());
  }

  @Test
  void aBackendThatNamesItselfOtherThanItsProviderIsRefusedAndClosed() throws Exception {
    RecordingStoreFs opened = new RecordingStoreFs(); // names itself "recording"
    FakeProvider decorator = new MisnamedDecorator(opened);
    Resolution r = StoreFsResolver.resolve("counting", List.of(decorator));
    ProviderException e = assertThrows(ProviderException.class, () -> r.open(FsOptions.defaults()));
    assertEquals(
        "BATPAK-FS-005 filesystem backend provider counting ("
            + MisnamedDecorator.class.getName()
            + ") opened a backend (io.batpak.fs.spi.RecordingStoreFs) whose name() is"
            + " \"recording\": a backend's name() must be its provider's name, \"counting\", since"
            + " the open report and the logs name it. Fix: override name() in"
            + " io.batpak.fs.spi.RecordingStoreFs (a ForwardingStoreFs forwards its delegate's"
            + " name). See docs/errors.md#batpak-fs-005",
        e.getMessage());
    assertTrue(opened.calls.contains("close"), "the refused backend was closed: " + opened.calls);
  }

  @Test
  void nullArgumentsAreRefused() {
    assertThrows(NullPointerException.class, () -> StoreFsResolver.resolve((StoreFs) null));
    assertThrows(
        NullPointerException.class,
        () -> StoreFsResolver.resolve(null, (ClassLoader) null, new Properties()));
    assertThrows(
        NullPointerException.class,
        () -> StoreFsResolver.resolve(null, java.util.Arrays.asList((StoreFsProvider) null)));
  }

  @Test
  void everyBrokenProviderIsListedTheFirstErrorIsTheCauseAndTheOthersAreSuppressed() {
    IllegalStateException first = new IllegalStateException("first");
    NoClassDefFoundError second = new NoClassDefFoundError("com/sun/jna/Native");
    StoreFsProvider a =
        new FakeProvider("a", 1, true, ProbeResult.available("a")) {
          @Override
          public int priority() {
            throw first;
          }
        };
    StoreFsProvider b =
        new FakeProvider("b", 1, true, ProbeResult.available("b")) {
          @Override
          public boolean autoSelectable() {
            throw second;
          }
        };
    ProviderException e =
        assertThrows(ProviderException.class, () -> StoreFsResolver.resolve(null, List.of(a, b)));
    assertEquals(
        "BATPAK-FS-005 broken filesystem backend provider: 2 providers failed to load.\n"
            + "Candidates:\n"
            + "  - io.batpak.fs.spi.StoreFsResolverTest$3: failed to load:"
            + " java.lang.IllegalStateException: first\n"
            + "  - io.batpak.fs.spi.StoreFsResolverTest$4: failed to load:"
            + " java.lang.NoClassDefFoundError: com/sun/jna/Native\n"
            + "Fix: remove or repair the broken provider's artifact (the error is listed above and"
            + " attached as the cause), or pass a StoreFs instance."
            + " See docs/errors.md#batpak-fs-005",
        e.getMessage());
    assertSame(first, e.getCause());
    assertEquals(List.of(second), List.of(e.getSuppressed()));
  }

  @Test
  void aProbeThatReturnsNullCountsAsAFailedProbe() {
    StoreFsProvider nullProbe = new FakeProvider("posix", 100, true, null);
    Resolution r = StoreFsResolver.resolve(null, List.of(nullProbe, usable("nio", 50)));
    assertEquals("nio", r.name());
    assertEquals(
        "posix (" + FAKE + ", priority 100): skipped: probe failed: probe returned null",
        r.candidates().get(0).describe());
  }

  @Test
  void onlyTheGroupsDownToTheFirstUsableOneAreProbed() {
    FakeProvider top = unusable("top", 300, "top is broken here");
    FakeProvider middle = usable("middle", 200);
    FakeProvider low = usable("low", 100);
    Resolution r = StoreFsResolver.resolve(null, List.of(low, middle, top));
    assertEquals("middle", r.name());
    assertEquals(
        List.of(1, 1, 0), List.of(top.probes.get(), middle.probes.get(), low.probes.get()));
    assertEquals(
        List.of(Verdict.PROBE_FAILED, Verdict.CHOSEN, Verdict.LOWER_PRIORITY),
        r.candidates().stream().map(Candidate::verdict).toList());
    assertEquals(
        "low (" + FAKE + ", priority 100): skipped: lower priority than middle (200); not probed",
        r.candidates().get(2).describe());
  }

  @Test
  void openUsesTheChosenProvider() {
    Resolution r = StoreFsResolver.resolve(null, List.of(usable("posix", 100)));
    UnsupportedOperationException e =
        assertThrows(UnsupportedOperationException.class, () -> r.open(FsOptions.defaults()));
    assertEquals("fake posix cannot open", e.getMessage());
  }

  @Test
  void candidateLinesWithAndWithoutAName() {
    assertEquals(
        "nio (x.Nio, priority 50): skipped: not the requested name",
        new Candidate(
                "nio", "x.Nio", 50, true, Verdict.NOT_REQUESTED, "skipped: not the requested name")
            .describe());
    assertEquals(
        "x.Broken: failed to load: boom",
        new Candidate("", "x.Broken", 0, false, Verdict.FAILED_TO_LOAD, "failed to load: boom")
            .describe());
  }

  /**
   * A provider named {@code counting} whose backend names itself otherwise (a named class, so that
   * the anonymous classes other tests list by name keep their numbers).
   */
  private static final class MisnamedDecorator extends FakeProvider {
    private final StoreFs backend;

    MisnamedDecorator(StoreFs backend) {
      super("counting", 10, true, ProbeResult.available("counting ok"));
      this.backend = backend;
    }

    @Override
    public StoreFs open(FsOptions options) {
      return backend;
    }
  }
}
