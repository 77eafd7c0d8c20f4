package harness.testbed;

/** A mirror model class that knows its canonical JSON form (docs/sdk-calls.md argument shapes). */
public interface JsonValue {
    Object toJsonValue();
}
