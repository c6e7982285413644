package dev.berth.storage.inmemory;

import jakarta.enterprise.context.ApplicationScoped;

import dev.berth.storage.StorageDriver;
import dev.berth.storage.StorageDriverFactory;

@ApplicationScoped
public class InMemoryDriverFactory implements StorageDriverFactory {
    @Override
    public String name() {
        return "inmemory";
    }

    @Override
    public StorageDriver create() {
        return new InMemoryDriver();
    }
}
