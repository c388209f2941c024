/**
 * The batpak benchmarks: JMH micro benchmarks and the side-by-side harness ({@code
 * io.batpak.bench.harness.BenchMain}). Never published.
 *
 * <p>The bench reaches the engine through its public API and through the engine's internal packages
 * that the engine exports to this module by name (qualified exports), never through the class path:
 * a benchmark that needs another internal type makes the engine name it in its module descriptor,
 * where a reviewer sees it. The shaded {@code benchmarks.jar} runs on the class path; this
 * descriptor is what the compiler checks. It exports nothing: no other module builds on the bench.
 */
module io.batpak.bench {
  requires io.batpak.api;
  requires io.batpak.engine;
  requires io.batpak.fs.spi;
  requires io.batpak.fs.posix;
  requires io.batpak.codec;
  requires tools.jackson.databind;
  requires tools.jackson.dataformat.cbor;
  requires tools.jackson.dataformat.smile;
  requires io.batpak.verify;
  requires io.batpak.compress;
  requires io.batpak.axon;
  requires io.batpak.replication;
  requires java.logging;
  requires java.management;
  requires java.sql;
  requires jdk.management;
  requires jdk.jfr;
  requires jmh.core;
  requires org.bouncycastle.provider;
  requires HdrHistogram;
  requires org.xerial.sqlitejdbc;
  requires com.h2database;
  requires org.axonframework.messaging;
  requires org.axonframework.eventsourcing;
  requires com.fasterxml.jackson.databind;
  requires com.sun.jna;
  requires rocksdbjni;
}
