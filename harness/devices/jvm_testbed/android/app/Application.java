package android.app;

/** Stand-in for android.app.Application (a Context). */
public class Application extends android.content.Context {}
