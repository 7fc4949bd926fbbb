# An HPC image in the style of Charliecloud's examples: OpenMPI built from source.
FROM almalinux:8

RUN dnf install -y --setopt=install_weak_deps=false \
        automake \
        file \
        gcc \
        gcc-c++ \
        make \
        wget \
 && dnf clean all

ARG MPI_VERSION=4.1.6
ARG MPI_URL=https://download.open-mpi.org/release/open-mpi/v${MPI_VERSION%.*}
WORKDIR /usr/local/src
RUN wget -nv ${MPI_URL}/openmpi-${MPI_VERSION}.tar.gz \
 && tar xf openmpi-${MPI_VERSION}.tar.gz \
 && cd openmpi-${MPI_VERSION} \
 && CFLAGS=-O3 ./configure --prefix=/usr/local --disable-pty-support \
 && make -j$(getconf _NPROCESSORS_ONLN) install \
 && rm -Rf ../openmpi-${MPI_VERSION}*
ENV LD_LIBRARY_PATH /usr/local/lib
RUN echo /usr/local/lib > /etc/ld.so.conf.d/usrlocal.conf && ldconfig
COPY examples/ /hello/
WORKDIR /hello
RUN mpicc -o hello hello.c
