package io.batpak.test;

/**
 * The whole contract suite against {@code nio} through the kit's annotation, its cross-process lock
 * tests included: this module's build does not set {@code batpak.test.classpath} (see its pom), so
 * the child JVMs run on the class path the annotation reads from this JVM.
 */
@StoreFsContractTest(provider = "nio")
class NioContractTest extends ProviderStoreFsContract {}
