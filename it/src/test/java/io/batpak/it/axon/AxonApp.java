package io.batpak.it.axon;

import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.axon.BatpakAxon;
import io.batpak.axon.BatpakTokenStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.Configuration;
import org.axonframework.config.Configurer;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.AggregateLifecycle;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * A small Axon application on a batpak store, run in a child JVM by {@link AxonAppIT}: an
 * event-sourced {@link Counter} aggregate, its command handlers, and a tracking event processor
 * ({@value #PROCESSOR}) feeding a projection that prints every event it handles. The processor's
 * token is kept by a {@link BatpakTokenStore} in a second batpak store, so the event store's global
 * sequence stays dense (docs/axon.md, "Token store").
 *
 * <p>Arguments: {@code <store dir> <token store dir> run|resume|replay}. {@code run} sends commands
 * until it is killed and prints {@code A <counter> <value>} once each is acknowledged; {@code
 * resume} and {@code replay} (given a new, empty token store) let the processor catch up with the
 * store, print {@code DONE} and exit. The projection prints {@code P <global sequence> <counter>
 * <value>}. Every line is flushed at once.
 */
public final class AxonApp {
  static final String PROCESSOR = "counters";
  static final int COUNTERS = 5;

  /** The node id of every run of the application (one node that restarts). */
  static final String NODE = "axon-app";

  private AxonApp() {}

  /** Creates counter {@code id}. */
  public record CreateCounter(@TargetAggregateIdentifier String id) {}

  /** Adds one to counter {@code id}. */
  public record Increment(@TargetAggregateIdentifier String id) {}

  /** Counter {@code id} was created at 0. */
  public record CounterCreated(String id) {}

  /** Counter {@code id} now holds {@code value}. */
  public record Incremented(String id, long value) {}

  /** The aggregate. */
  public static final class Counter {
    @AggregateIdentifier private String id;
    private long value;

    /** For Axon. */
    public Counter() {}

    /** Creates the counter. */
    @CommandHandler
    public Counter(CreateCounter command) {
      AggregateLifecycle.apply(new CounterCreated(command.id()));
    }

    /** Increments it; returns the new value (apply runs the sourcing handler at once). */
    @CommandHandler
    public long handle(Increment command) {
      AggregateLifecycle.apply(new Incremented(id, value + 1));
      return value;
    }

    @EventSourcingHandler
    void on(CounterCreated event) {
      id = event.id();
      value = 0;
    }

    @EventSourcingHandler
    void on(Incremented event) {
      value = event.value();
    }
  }

  /** The projection: prints each event and signals the global sequence it reached. */
  @ProcessingGroup(PROCESSOR)
  public static final class Projection {
    private final PrintStream out;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition moved = lock.newCondition();
    private long reached;

    /** {@code reached}: the global sequence the processor's token already covers (-1: none). */
    Projection(PrintStream out, long reached) {
      this.out = out;
      this.reached = reached;
    }

    @EventHandler
    void on(CounterCreated event, TrackingToken token) {
      seen(token, event.id(), 0);
    }

    @EventHandler
    void on(Incremented event, TrackingToken token) {
      seen(token, event.id(), event.value());
    }

    private void seen(TrackingToken token, String id, long value) {
      long g = index(token);
      out.println("P " + g + " " + id + " " + value);
      out.flush();
      lock.lock();
      try {
        reached = Math.max(reached, g);
        moved.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void awaitReached(long g) throws InterruptedException {
      lock.lock();
      try {
        while (reached < g) {
          moved.await();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  static long index(TrackingToken token) {
    TrackingToken t = token;
    if (t instanceof org.axonframework.eventhandling.ReplayToken replay) {
      t = replay.getCurrentToken();
    }
    return ((GlobalSequenceTrackingToken) t).getGlobalIndex();
  }

  /**
   * The processor's token store on the token store {@code tokens}, as node {@value #NODE}: a
   * restarted application is the same node, so it resumes its own claim at once instead of waiting
   * for the killed one's to time out.
   */
  static BatpakTokenStore tokens(Store tokens) {
    return BatpakTokenStore.builder()
        .store(tokens)
        .serializer(JacksonSerializer.defaultSerializer())
        .nodeId(NODE)
        .build();
  }

  /** The global sequence of the processor's saved token in {@code tokens}; -1 when none. */
  static long saved(BatpakTokenStore tokens) {
    if (tokens.fetchSegments(PROCESSOR).length == 0) {
      return -1;
    }
    TrackingToken token = tokens.fetchToken(PROCESSOR, 0);
    tokens.releaseClaim(PROCESSOR, 0);
    return token == null ? -1 : index(token);
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path tokenDir = Path.of(args[1]);
    String mode = args[2];
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (Store store = Store.open(StoreConfig.builder(dir).build());
        Store tokenStore = Store.open(StoreConfig.builder(tokenDir).build())) {
      BatpakTokenStore tokens = tokens(tokenStore);
      Projection projection = new Projection(out, mode.equals("resume") ? saved(tokens) : -1);
      Configurer configurer = DefaultConfigurer.defaultConfiguration();
      JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
      configurer
          .configureSerializer(c -> serializer)
          .configureEventSerializer(c -> serializer)
          .configureMessageSerializer(c -> serializer)
          .configureAggregate(Counter.class)
          .eventProcessing(
              ep ->
                  ep.registerTrackingEventProcessor(
                          PROCESSOR,
                          c -> c.eventStore(),
                          c ->
                              TrackingEventProcessorConfiguration.forSingleThreadedProcessing()
                                  .andInitialTrackingToken(source -> source.createTailToken()))
                      .registerTokenStore(PROCESSOR, c -> tokens)
                      .registerEventHandler(c -> projection));
      BatpakAxon.configure(configurer, store);
      Configuration axon = configurer.start();
      try {
        if (mode.equals("run")) {
          CommandGateway commands = axon.commandGateway();
          Set<String> created = new HashSet<>();
          for (long i = 0; ; i++) {
            String id = "c" + (i % COUNTERS);
            boolean exists =
                !created.add(id) || axon.eventStore().lastSequenceNumberFor(id).isPresent();
            if (!exists) {
              commands.sendAndWait(new CreateCounter(id));
              out.println("A " + id + " 0");
            } else {
              long value = commands.<Long>sendAndWait(new Increment(id));
              out.println("A " + id + " " + value);
            }
          }
        }
        long head = index(axon.eventStore().createHeadToken());
        projection.awaitReached(head);
        out.println("DONE " + head);
      } finally {
        axon.shutdown();
      }
    }
  }
}
