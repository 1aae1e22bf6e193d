#!/usr/bin/perl
# An SMSC for mdnhub's SMPP interoperability tests, built on Debian's
# libnet-smpp-perl (Net::SMPP). It serves one ESME connection at a time.
#
# Usage: perl smsc.pl PORT      (0: any free port)
# Stdout: one JSON event per line; the first is {"event":"listening","port":N}.
# Stdin: one JSON command per line:
#   {"cmd":"deliver","id":ID,"pdus":[{"source_addr":..,"destination_addr":..,
#     "text":..,"encoding":"gsm0338"|"UTF-16BE"|"iso-8859-1","data_coding":N,
#     "udh_hex":..(optional),"sar":[ref,total,seq](optional)}]}
#   Each deliver_sm's text is encoded here, with Perl's Encode; the event
#   {"event":"resp","id":ID,"i":k,"status":S} reports each response.
# submit_sm is answered with message id "pl<n>" and reported as
# {"event":"submit_sm",...,"text":decoded}.
use strict;
use warnings;
use Net::SMPP;
use IO::Select;
use JSON::PP;
use Encode qw(encode decode);

$| = 1;
my $port = shift // 0;
my $json = JSON::PP->new->utf8->canonical;
my $srv = Net::SMPP->new_listen('127.0.0.1', port => $port, smpp_version => 0x34)
  or die "listen: $!";
emit({ event => 'listening', port => $srv->sockport });

my $sel = IO::Select->new($srv, \*STDIN);
my ($conn, %pending, $inbuf);
my $msgid = 0;

sub emit { print $json->encode($_[0]), "\n" }

sub drop {
  return unless $conn;
  $sel->remove($conn);
  close $conn;
  undef $conn;
  %pending = ();
  emit({ event => 'closed' });
}

sub command {
  my ($c) = @_;
  if ($c->{cmd} ne 'deliver') {
    emit({ event => 'error', error => "unknown command $c->{cmd}" });
    return;
  }
  unless ($conn) {
    emit({ event => 'error', id => $c->{id}, error => 'no ESME connected' });
    return;
  }
  my $i = 0;
  for my $p (@{ $c->{pdus} }) {
    my $sm = encode($p->{encoding}, $p->{text});
    my $esm = 0;
    my @tlv;
    if ($p->{udh_hex}) {
      $sm = pack('H*', $p->{udh_hex}) . $sm;
      $esm |= 0x40;
    }
    if ($p->{sar}) {
      my ($ref, $total, $seq) = @{ $p->{sar} };
      @tlv = (sar_msg_ref_num => pack('n', $ref), sar_total_segments => pack('C', $total),
              sar_segment_seqnum => pack('C', $seq));
    }
    my $seq = $conn->deliver_sm(
      source_addr_ton => 1, source_addr_npi => 1, source_addr => $p->{source_addr},
      dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => $p->{destination_addr},
      esm_class => $esm, data_coding => $p->{data_coding}, short_message => $sm,
      @tlv, async => 1);
    $pending{$seq} = [ $c->{id}, $i++ ];
  }
}

sub handle {
  my ($pdu) = @_;
  my $cmd = $pdu->{cmd};
  if ($cmd == 0x00000009 || $cmd == 0x00000001 || $cmd == 0x00000002) {
    my %resp = (0x09 => 'bind_transceiver_resp', 0x01 => 'bind_receiver_resp', 0x02 => 'bind_transmitter_resp');
    my $m = $resp{$cmd};
    $conn->$m(system_id => 'perlsmsc', seq => $pdu->{seq});
    emit({ event => 'bound', system_id => $pdu->{system_id} });
  } elsif ($cmd == 0x00000015) {
    $conn->enquire_link_resp(seq => $pdu->{seq});
  } elsif ($cmd == 0x00000004) {
    my $sm = $pdu->{short_message};
    my $udh = '';
    if ($pdu->{esm_class} & 0x40) {
      my $n = unpack('C', $sm) + 1;
      $udh = unpack('H*', substr($sm, 0, $n));
      $sm = substr($sm, $n);
    }
    my $text = $pdu->{data_coding} == 8 ? decode('UTF-16BE', $sm) : decode('gsm0338', $sm);
    my $id = 'pl' . ++$msgid;
    $conn->submit_sm_resp(message_id => $id, seq => $pdu->{seq});
    emit({ event => 'submit_sm', source_addr => $pdu->{source_addr}, destination_addr => $pdu->{destination_addr},
           data_coding => $pdu->{data_coding}, esm_class => $pdu->{esm_class},
           registered_delivery => $pdu->{registered_delivery}, text => $text, udh_hex => $udh, message_id => $id });
  } elsif ($cmd == 0x80000005) {
    my $p = delete $pending{ $pdu->{seq} } or return;
    emit({ event => 'resp', id => $p->[0], i => $p->[1], status => $pdu->{status} });
  } elsif ($cmd == 0x00000006) {
    $conn->unbind_resp(seq => $pdu->{seq});
    drop();
  } elsif (!($cmd & 0x80000000)) {
    $conn->generic_nack(seq => $pdu->{seq}, status => 3);
  }
}

while (1) {
  for my $fh ($sel->can_read) {
    if (fileno($fh) == fileno($srv)) {
      my $c = $srv->accept or next;
      drop();
      $conn = $c;
      $sel->add($conn);
    } elsif (fileno($fh) == fileno(STDIN)) {
      my $n = sysread(STDIN, my $buf, 65536);
      exit 0 unless $n;
      $inbuf .= $buf;
      while ($inbuf =~ s/^(.*)\n//) {
        command($json->decode($1)) if length $1;
      }
    } else {
      my $pdu = $conn->read_pdu();
      if ($pdu) { handle($pdu) } else { drop() }
    }
  }
}
