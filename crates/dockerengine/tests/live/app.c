#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "sleep";
  setvbuf(stdout, NULL, _IONBF, 0);
  if (!strcmp(mode, "oom")) {
    printf("allocating\n");
    for (;;) { char *p = malloc(1 << 20); if (!p) return 3; memset(p, 1, 1 << 20); }
  }
  if (!strcmp(mode, "exit1")) { fprintf(stderr, "fatal: could not connect to database db:5432\n"); return 1; }
  if (!strcmp(mode, "health")) { printf("curl: (7) Failed to connect to localhost port 8000: Connection refused\n"); return 1; }
  if (!strcmp(mode, "serve")) {
    const char *addr = argc > 2 ? argv[2] : "0.0.0.0"; int port = argc > 3 ? atoi(argv[3]) : 8000;
    int s = socket(AF_INET, SOCK_STREAM, 0); int one = 1; setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(port); inet_pton(AF_INET, addr, &a.sin_addr);
    if (bind(s, (struct sockaddr*)&a, sizeof a) || listen(s, 16)) { perror("bind"); return 2; }
    printf("listening on %s:%d\n", addr, port);
    for (;;) { int c = accept(s, 0, 0); if (c >= 0) { const char *r = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"; write(c, r, strlen(r)); close(c); } }
  }
  for (;;) pause();
}
