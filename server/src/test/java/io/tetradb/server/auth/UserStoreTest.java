package io.tetradb.server.auth;

import io.tetradb.protocol.Role;
import io.tetradb.protocol.scram.Scram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The user table: readers (authentication on event loops) never wait for a writer writing users.json. */
@Timeout(60)
class UserStoreTest {
    @TempDir
    Path dir;

    @Test
    void aReaderIsAnsweredWhileAWriterIsInsideTheFileWrite() throws Exception {
        UserStore store = new UserStore(dir.resolve("users.json"));
        store.add("alice", Role.USER, Scram.newCredentials("alice-password".toCharArray()));
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        store.beforeWrite(() -> {
            inWrite.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Scram.Credentials bob = Scram.newCredentials("bob-password".toCharArray());
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                store.add("bob", Role.READER, bob);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            assertThat(inWrite.await(30, TimeUnit.SECONDS)).as("the writer reached the file write").isTrue();
            // The writer holds the writers' lock inside the write: a reader must still be answered.
            UserStore.User alice = CompletableFuture.supplyAsync(() -> store.find("alice")).get(30, TimeUnit.SECONDS);
            assertThat(alice.role()).isEqualTo(Role.USER);
            assertThat(CompletableFuture.supplyAsync(store::list).get(30, TimeUnit.SECONDS))
                    .extracting(UserStore.User::name).containsExactly("alice");
            assertThat(store.find("bob")).as("not published before its write ends").isNull();
        } finally {
            release.countDown();
        }
        writer.get(30, TimeUnit.SECONDS);
        assertThat(store.find("bob").role()).isEqualTo(Role.READER);

        store.beforeWrite(null);
        UserStore reloaded = new UserStore(dir.resolve("users.json"));
        reloaded.load();
        assertThat(reloaded.list()).extracting(UserStore.User::name).containsExactly("alice", "bob");
    }
}
