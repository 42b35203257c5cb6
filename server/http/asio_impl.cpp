// Separate compilation of Boost.Asio and Boost.Beast: their implementation is compiled once,
// here, instead of in every file that includes them (BOOST_*_SEPARATE_COMPILATION).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
