#!/usr/bin/perl
# Gearman worker built on Gearman::Worker (libgearman-client-perl).
# Usage: perl perl_worker.pl HOST PORT      Functions: see Peers/README.md.
# A handler that dies makes Gearman::Worker send WORK_EXCEPTION and then WORK_FAIL, so
# `exception` sends the single WORK_EXCEPTION itself and `fail` returns undef (WORK_FAIL).
use strict;
use warnings;
use Gearman::Worker;

use constant SLOW_SECONDS => 2;

my ($host, $port) = @ARGV;
my $worker = Gearman::Worker->new(job_servers => ["$host:$port"]);

sub random_token {
    return join('', map { sprintf('%02x', int(rand(256))) } 1 .. 8);
}

$worker->register_function(reverse => sub { return scalar reverse $_[0]->arg });
$worker->register_function(echo => sub { return $_[0]->arg });
$worker->register_function(fail => sub { return undef });
$worker->register_function(exception => sub {
    $worker->send_work_exception($_[0], 'boom');
    return undef;
});
$worker->register_function(status => sub {
    my $job = shift;
    $job->set_status(1, 2);
    $worker->send_work_data($job, 'chunk1');
    $job->set_status(2, 2);
    $worker->send_work_data($job, 'chunk2');
    return 'done';
});
$worker->register_function(slow => sub {
    sleep SLOW_SECONDS;
    return random_token();
});
$worker->register_function(record => sub {
    my ($path, $tag) = split /\|/, $_[0]->arg, 2;
    open(my $fh, '>>', $path) or die "open $path: $!";
    print $fh "$tag\n";
    close $fh;
    return 'ok';
});

$worker->work while 1;
