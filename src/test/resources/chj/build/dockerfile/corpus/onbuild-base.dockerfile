FROM node:20-alpine
WORKDIR /usr/src/app
ONBUILD ARG NODE_ENV=production
ONBUILD COPY package*.json ./
ONBUILD RUN npm ci --omit=dev
ONBUILD COPY . .
EXPOSE 3000
CMD ["node", "server.js"]
