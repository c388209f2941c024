package com.example.orders;

// sample:contract
import io.batpak.test.ProviderStoreFsContract;
import io.batpak.test.StoreFsContractTest;

/** The whole StoreFs contract suite against our backend, child-JVM lock tests included. */
@StoreFsContractTest(provider = "counting")
class CountingStoreFsContractTest extends ProviderStoreFsContract {}
// end-sample:contract
