# SyTest homeserver factory for Ranvier: `-I Ranvier`.
#
# SyTest loads this through SYTEST_PLUGINS (it searches $SYTEST_PLUGINS/*/lib), e.g.
#   SYTEST_PLUGINS=/path/to/ranvier/conformance/sytest ./run-tests.pl -I Ranvier
# The binary is --ranvier-binary PATH, else $RANVIER_BINARY, else the repository's own
# build/server/app/ranvier (found relative to this file).

use strict;
use warnings;

# Loaded here, at file level: SyTest puts the plugin's lib/ on @INC only while it loads
# factories.
require SyTest::Homeserver::Ranvier;

package SyTest::HomeserverFactory::Ranvier;
use base qw( SyTest::HomeserverFactory );

use Cwd qw( abs_path );
use File::Basename qw( dirname );
use File::Spec;

# conformance/sytest/ranvier/lib/SyTest/HomeserverFactory/Ranvier.pm -> repository root
sub _default_binary
{
   my $dir = dirname( abs_path( __FILE__ ) );
   my $root = abs_path( File::Spec->catdir( $dir, ( File::Spec->updir ) x 6 ) );
   return File::Spec->catfile( $root, qw( build server app ranvier ) );
}

sub _init
{
   my $self = shift;

   $self->{args}{binary} = $ENV{RANVIER_BINARY} // _default_binary();

   $self->SUPER::_init( @_ );
}

sub implementation_name
{
   return "ranvier";
}

sub get_options
{
   my $self = shift;

   # Older SyTest factories have no get_options of their own.
   my @base = SyTest::HomeserverFactory->can( "get_options" ) ? $self->SUPER::get_options() : ();

   return (
      'ranvier-binary=s' => \$self->{args}{binary},
      @base,
   );
}

sub print_usage
{
   print STDERR <<'USAGE';
       --ranvier-binary PATH    - the `ranvier` executable (default: $RANVIER_BINARY, else
                                  build/server/app/ranvier of the plugin's checkout)
USAGE
}

sub create_server
{
   my $self = shift;
   my %params = ( @_, %{ $self->{args} } );

   return SyTest::Homeserver::Ranvier->new( %params );
}

1;
