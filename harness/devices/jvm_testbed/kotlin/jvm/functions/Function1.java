package kotlin.jvm.functions;

/** Stand-in for Kotlin's Function1 (the type of flushData's optional callback). */
public interface Function1<P, R> {
    R invoke(P p);
}
