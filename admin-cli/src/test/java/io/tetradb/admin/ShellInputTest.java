package io.tetradb.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The SQL shell's input: read ahead at a terminal, answers taken and put back in order. */
@Timeout(30)
class ShellInputTest {
    private static ByteArrayInputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void directInputReadsLinesUntilTheEnd() throws IOException {
        ShellInput in = ShellInput.direct(bytes("a;\nb;\n"));
        assertThat(in.answers()).isFalse();
        assertThat(in.readLine()).isEqualTo("a;");
        assertThat(in.readLine()).isEqualTo("b;");
        assertThat(in.readLine()).isNull();
    }

    @Test
    void anAnswerPutBackIsReadNextAndTheEndStaysTheEnd() throws Exception {
        ShellInput in = ShellInput.readAhead(bytes("INSERT;\nc\nSELECT 1;\n"));
        assertThat(in.answers()).isTrue();
        assertThat(in.readLine()).isEqualTo("INSERT;");
        String answer = in.takeAnswer();
        assertThat(answer).isEqualTo("c");
        in.unread(answer);
        assertThat(in.readLine()).isEqualTo("c");
        assertThat(in.readLine()).isEqualTo("SELECT 1;");
        assertThat(in.readLine()).isNull();
        assertThat(in.takeAnswer()).isNull();
        assertThat(in.readLine()).isNull();
    }

    @Test
    void waitingForAnAnswerCanBeInterrupted() throws Exception {
        PipedOutputStream typing = new PipedOutputStream();
        ShellInput in = ShellInput.readAhead(new PipedInputStream(typing));
        CountDownLatch asking = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            asking.countDown();
            try {
                in.takeAnswer();
                interrupted.complete(false);
            } catch (InterruptedException e) {
                interrupted.complete(true);
            }
        });
        t.start();
        assertThat(asking.await(10, TimeUnit.SECONDS)).isTrue();
        t.interrupt();
        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
        typing.write("later\n".getBytes(StandardCharsets.UTF_8));
        typing.close();
        assertThat(in.readLine()).isEqualTo("later");
        assertThat(in.readLine()).isNull();
    }
}
