package io.batpak.cli;

import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.ValidationException;
import io.batpak.replication.ReplicaStoppedException;
import io.batpak.replication.ReplicatedStore;
import io.batpak.replication.ReplicationConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code batpak serve --id ID --peers ID=HOST:PORT,... --dir DIR}: runs one member of a replicated
 * store (module replication, {@link ReplicatedStore}) until SIGTERM or SIGINT, or, with {@code
 * --console}, until stdin ends or says {@code stop}. A thin layer: it parses the command line into
 * a {@link ReplicationConfig}, calls {@link ReplicatedStore#start} or {@link ReplicatedStore#join},
 * and prints status lines on stderr; the console ({@link ServeConsole}) answers on stdout.
 */
final class ServeCommand implements Command {

  /** How often the status watcher looks at the member's role and whether it stopped. */
  private static final long WATCH_MILLIS = 200;

  private final InputStream stdin;

  /** A command whose console reads {@code stdin} when the terminal has no reader of its own. */
  ServeCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public String name() {
    return "serve";
  }

  @Override
  public String summary() {
    return "run one member of a replicated store (Raft over Apache Ratis) until stopped";
  }

  @Override
  public String help() {
    return "usage: batpak serve --id ID --peers ID=HOST:PORT,... --dir DIR [options]\n\n"
        + "Runs one member of a replicated store: a group of 3 (or 5) members, each its own\n"
        + "process with its own directory, that agree on every append through Raft (Apache\n"
        + "Ratis). The leader is the single writer; an append returns once a majority has it in\n"
        + "its durable Raft log and the leader applied it; every member applies the same\n"
        + "entries to its own store. Start every member with the same --peers (and --group).\n\n"
        + "  "
        + ServeOptions.ID
        + " ID          this member's id; it must be one of --peers\n"
        + "  "
        + ServeOptions.PEERS
        + " LIST     every member as id=host:port, comma-separated, e.g.\n"
        + "                   n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003; this\n"
        + "                   member listens on its own address (ids: letters, digits, - and _)\n"
        + "  "
        + ServeOptions.DIR
        + " DIR        the member's directory (created if missing): the store in DIR/store,\n"
        + "                   the Raft log in DIR/raft. Read a stopped member's store with\n"
        + "                   'batpak inspect DIR/store' or 'batpak dump DIR/store'\n\n"
        + "options:\n"
        + "  "
        + ServeOptions.GROUP
        + " UUID     the Raft group id, the same on every member; default: the group in\n"
        + "                   DIR/raft, or "
        + ServeOptions.DEFAULT_GROUP
        + " on a new DIR\n"
        + "  "
        + ServeOptions.JOIN
        + "           join a running group that will add this member ('members set' on\n"
        + "                   the console of a member); --peers is the group with this member.\n"
        + "                   A member that has joined before restarts from its log.\n"
        + "  "
        + ServeOptions.DURABILITY
        + " visible|durable\n"
        + "                   when the local store fsyncs: visible (default; the Raft log is\n"
        + "                   the durable copy and a restart re-applies what the store lost) or\n"
        + "                   durable (every apply fsyncs too)\n"
        + "  "
        + ServeOptions.TIMEOUT
        + " SECONDS  how long an append or read barrier waits for a leader (default "
        + ServeOptions.DEFAULT_TIMEOUT_SECONDS
        + ")\n"
        + "  "
        + ServeOptions.FS
        + " NAME       the store's filesystem backend (posix, nio; default: best available)\n"
        + "  "
        + ServeOptions.CONSOLE
        + "        read commands from stdin, one per line, and answer on stdout\n\n"
        + ServeConsole.HELP
        + "\nStatus lines (started, leader changes of this member, stopped) go to stderr. batpak\n"
        + "and Ratis log warnings to stderr; more with BATPAK_LOG=info (or debug).\n\n"
        + "exit codes: 0 stopped cleanly ('stop' or end of console input), 1 the member could\n"
        + "not start or stopped itself (the reason is printed), 2 usage error; after SIGTERM or\n"
        + "SIGINT it closes cleanly ('stopped cleanly') and exits 143 or 130, as a JVM does\n";
  }

  @Override
  public Set<String> valueOptions() {
    return Set.of(
        ServeOptions.ID,
        ServeOptions.PEERS,
        ServeOptions.DIR,
        ServeOptions.GROUP,
        ServeOptions.DURABILITY,
        ServeOptions.TIMEOUT,
        ServeOptions.FS);
  }

  @Override
  public Set<String> switchOptions() {
    return Set.of(ServeOptions.JOIN, ServeOptions.CONSOLE);
  }

  @Override
  public int run(Args args, Terminal t) throws UsageException {
    ServeOptions o = ServeOptions.parse(args);
    if (o.fs()
        != null) { // a backend that is not there is a usage error, found before --dir is made
      try {
        io.batpak.fs.spi.StoreFsResolver.resolve(o.fs(), ServeCommand.class.getClassLoader());
      } catch (io.batpak.ProviderException e) {
        throw new UsageException(e.getMessage());
      }
    }
    UUID group = o.resolveGroup();
    boolean restart = o.hasLog(group);
    PrintStream err = t.err();
    String who = "batpak serve " + o.id() + ": ";
    ReplicationConfig config;
    try {
      Files.createDirectories(o.dir());
      StoreConfig.Builder store =
          StoreConfig.builder(o.storeDirectory()).durability(o.durability()).fsBackend(o.fs());
      config =
          new ReplicationConfig(
              o.id(), o.peers(), group, o.raftDirectory(), store.build(), o.timeout());
    } catch (IOException e) {
      err.println(who + "cannot create " + o.dir() + ": " + e.getMessage());
      return Main.FAILURE;
    } catch (ValidationException e) {
      throw new UsageException(e.getMessage());
    }
    quietRatis();
    ReplicatedStore member;
    try {
      member = o.join() && !restart ? ReplicatedStore.join(config) : ReplicatedStore.start(config);
    } catch (ValidationException e) { // the directory is another member's
      throw new UsageException(e.getMessage());
    } catch (StoreException e) {
      err.println(who + "could not open its store: " + Main.explain(e));
      return Main.FAILURE;
    } catch (UncheckedIOException | CompletionException e) {
      // Ratis could not start: its port or its directory is taken, or its log is unreadable.
      err.println(
          who
              + "could not start its Raft server: "
              + rootMessage(e)
              + "\n  Is another process listening on "
              + config.self().address()
              + " or running a member on "
              + o.dir()
              + "? Stop it, or pick a free port in --peers and another --dir.");
      return Main.FAILURE;
    }
    err.println(
        who
            + (restart ? "restarted from its log" : o.join() ? "joining" : "started")
            + " in "
            + o.dir()
            + ", listening on "
            + config.self().address()
            + ", group "
            + group
            + ", members "
            + String.join(",", new java.util.TreeSet<>(member.members())));
    java.util.Set<String> named =
        new java.util.TreeSet<>(o.peers().stream().map(ReplicationConfig.Peer::id).toList());
    if (restart && !named.equals(new java.util.TreeSet<>(member.members()))) {
      // The group's configuration is in its Raft log; --peers only seeds a new group.
      err.println(
          who
              + "--peers names "
              + String.join(",", named)
              + ", but the group's configuration in its log is "
              + String.join(",", new java.util.TreeSet<>(member.members()))
              + ", and the log wins. To change the members, use 'members set' on a member's"
              + " console (docs/operations.md, \"Running a replicated group\").");
    }
    if (member.openReport().tornTail().isPresent()) {
      // A crash in the middle of a journal write; Raft re-applies what the cut took away.
      err.println(
          who
              + "its journal ended in a torn write: "
              + CommandSupport.tornTail(member.openReport()));
    }
    return serve(member, o, t, who);
  }

  /** Runs the started member until it is told to stop or stops itself; returns the exit code. */
  private int serve(ReplicatedStore member, ServeOptions o, Terminal t, String who) {
    PrintStream err = t.err();
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<String> stoppedItself = new AtomicReference<>();
    Stop stop = new Stop(member, err, who);
    Thread hook =
        new Thread(
            () -> {
              err.println(who + "signal received, stopping");
              stop.run();
            },
            "batpak-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Thread watcher =
        daemon(
            "batpak-serve-watch",
            () -> {
              boolean leader = false;
              while (done.getCount() > 0) {
                try {
                  member.head();
                } catch (ReplicaStoppedException e) {
                  stoppedItself.set(e.getMessage());
                  done.countDown();
                  return;
                } catch (StoreException e) {
                  done.countDown(); // closed by the shutdown hook or the console
                  return;
                }
                boolean now = member.isLeader();
                if (now != leader) {
                  err.println(who + (now ? "is the leader now" : "is no longer the leader"));
                  leader = now;
                }
                try {
                  Thread.sleep(WATCH_MILLIS);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    if (o.console()) {
      BufferedReader in =
          t.in() != null
              ? t.in()
              : new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
      ServeConsole console = new ServeConsole(member, t.out(), o.timeout());
      daemon(
          "batpak-serve-console",
          () -> {
            try {
              t.out().println("ready " + o.id());
              t.out().flush();
              boolean more = true;
              for (String line; more && (line = in.readLine()) != null; ) {
                more = console.handle(line);
              }
              err.println(who + (more ? "console input ended" : "the console said stop"));
            } catch (IOException e) {
              err.println(who + "console input failed: " + e.getMessage());
            }
            done.countDown();
          });
    }
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    watcher.interrupt();
    String reason = stoppedItself.get();
    if (reason != null) {
      err.println(who + "stopped itself: " + reason);
    }
    // Close before the hook goes: a signal that comes while the member closes (after the end of
    // the console's input, say) starts the hook, which waits for this close to finish, instead of
    // the JVM ending in the middle of it.
    stop.run();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      return Main.FAILURE; // the JVM is shutting down (a signal); the member is closed
    }
    return reason == null ? Main.OK : Main.FAILURE;
  }

  /**
   * Closes the member once, from the end of the console's input or from the shutdown hook,
   * whichever comes first; the other waits until it is closed.
   */
  private static final class Stop {
    private final ReplicatedStore member;
    private final PrintStream err;
    private final String who;
    private boolean done;

    Stop(ReplicatedStore member, PrintStream err, String who) {
      this.member = member;
      this.err = err;
      this.who = who;
    }

    synchronized void run() {
      if (done) {
        return;
      }
      done = true;
      try {
        member.close();
        err.println(who + "stopped cleanly");
      } catch (RuntimeException e) {
        err.println(who + "stopped, but not cleanly: " + e.getMessage());
      }
      err.flush();
    }
  }

  /**
   * Ratis logs through SLF4J, which the jar binds to slf4j-simple on stderr: at the level of {@code
   * BATPAK_LOG} (warnings by default), unless the user set SLF4J's own. Its client's log is off: it
   * logs every redirect to the leader as an error with a stack trace, and the console reports a
   * request that failed for good itself.
   */
  private static void quietRatis() throws UsageException {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty(
          "org.slf4j.simpleLogger.defaultLogLevel",
          CliLogging.slf4jName(CliLogging.level(System.getenv(CliLogging.VARIABLE))));
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.ratis.client", "off");
    }
  }

  /** The message of the innermost cause, which names what failed. */
  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t + ")";
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
